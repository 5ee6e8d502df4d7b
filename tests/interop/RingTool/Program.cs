using System;
using XenVbd.Ring;

namespace XenVbd.Interop
{
    /// <summary>
    /// ringtool layout &lt;x86_32|x86_64&gt;
    /// ringtool encode &lt;x86_32|x86_64&gt; &lt;order&gt; &lt;start&gt; &lt;page&gt; &lt;expect&gt;
    /// ringtool check  &lt;page&gt; &lt;expect&gt;
    /// Exit 0 when every check passed, 1 when one failed, 2 on bad usage or input.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            try
            {
                if (args.Length == 2 && args[0] == "layout")
                {
                    foreach (var line in LayoutListing.Lines(ParseAbi(args[1])))
                        Console.WriteLine(line);
                    return 0;
                }
                if (args.Length == 6 && args[0] == "encode")
                {
                    int order = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
                    uint start = uint.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
                    PageEncoder.Encode(ParseAbi(args[1]), order, start, args[4], args[5], Console.Out);
                    return 0;
                }
                if (args.Length == 3 && args[0] == "check")
                    return PageChecker.Check(args[1], args[2], Console.Out) == 0 ? 0 : 1;
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine("ringtool: " + e.Message);
                return 2;
            }
            catch (System.IO.IOException e)
            {
                Console.Error.WriteLine("ringtool: " + e.Message);
                return 2;
            }
            Console.Error.WriteLine("usage: ringtool layout <x86_32|x86_64>");
            Console.Error.WriteLine("       ringtool encode <x86_32|x86_64> <order> <start> <page> <expect>");
            Console.Error.WriteLine("       ringtool check <page> <expect>");
            return 2;
        }

        /// <summary>Accepts x86_32 / x86_64 and the protocol strings x86_32-abi / x86_64-abi.</summary>
        public static BlkifAbi ParseAbi(string text)
        {
            if (BlkifAbiNames.TryParseProtocol(text, out var abi)) return abi;
            if (BlkifAbiNames.TryParseProtocol(text + "-abi", out abi)) return abi;
            throw new FormatException("Unknown ABI '" + text + "' (x86_32 or x86_64).");
        }
    }
}
