using System;
using System.Management.Automation.Host;
using System.Threading;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// Turns Ctrl+C in an interactive console into a request to finish early instead of a pipeline stop, for
    /// the duration of a long run. Once PowerShell stops a pipeline nothing more can be written to it, so a
    /// cmdlet that promises "Ctrl+C returns what was measured so far" must see the key before PowerShell
    /// does: while a watch is active the console delivers Ctrl+C as a key (TreatControlCAsInput) and a
    /// background thread cancels the token when it reads one. Elsewhere (redirected input, another host,
    /// a signal, PowerShell.Stop()) the watch does nothing and the pipeline stops as usual.
    /// </summary>
    internal sealed class ConsoleInterrupt : IDisposable
    {
        private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

        private readonly CancellationTokenSource _cancel;
        private readonly bool _previous;
        private readonly Thread? _thread;
        private volatile bool _done;

        private ConsoleInterrupt(CancellationTokenSource cancel, bool active)
        {
            _cancel = cancel;
            if (!active)
            {
                return;
            }

            _previous = Console.TreatControlCAsInput;
            Console.TreatControlCAsInput = true;
            _thread = new Thread(Poll) { IsBackground = true, Name = "XenVbd Ctrl+C watch" };
            _thread.Start();
        }

        /// <summary>Whether the last watch saw Ctrl+C.</summary>
        public bool Interrupted { get; private set; }

        /// <summary>Starts watching when <paramref name="host"/> is the interactive console; otherwise returns an inert watch.</summary>
        public static ConsoleInterrupt Watch(PSHost host, CancellationTokenSource cancel)
        {
            bool console = string.Equals(host.Name, "ConsoleHost", StringComparison.Ordinal);
            bool interactive = false;
            try
            {
                interactive = console && !Console.IsInputRedirected && !Console.IsOutputRedirected;
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is InvalidOperationException)
            {
                interactive = false;
            }

            return new ConsoleInterrupt(cancel, interactive);
        }

        private void Poll()
        {
            try
            {
                while (!_done)
                {
                    while (!_done && Console.KeyAvailable)
                    {
                        ConsoleKeyInfo key = Console.ReadKey(intercept: true);
                        if (key.KeyChar == '\u0003' || (key.Key == ConsoleKey.C && (key.Modifiers & ConsoleModifiers.Control) != 0))
                        {
                            Interrupted = true;
                            _cancel.Cancel();
                            return;
                        }
                    }

                    Thread.Sleep(PollInterval);
                }
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is InvalidOperationException)
            {
                // The console went away: nothing to watch; PowerShell's own Ctrl+C handling is back on Dispose.
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            if (_thread is null)
            {
                return;
            }

            _done = true;
            _thread.Join();
            Console.TreatControlCAsInput = _previous;
        }
    }
}
