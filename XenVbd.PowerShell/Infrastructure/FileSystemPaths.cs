using System;
using System.Collections.ObjectModel;
#if NET
using System.IO;
#endif
using System.Linq;
using System.Management.Automation;
using Microsoft.PowerShell.Commands;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// Turns a file path a user typed (-ImagePath, -Path, -ReportPath) into a file-system path the way
    /// PowerShell's own file cmdlets do: relative to the current PowerShell location (Set-Location),
    /// through the provider, so <c>~</c>, <c>.\x</c> and PSDrives work and a path on another provider
    /// (<c>Env:/foo</c>, <c>HKLM:\</c>) is refused instead of becoming a file of that name; wildcards
    /// that match exactly one existing item are expanded, and otherwise refused (a backtick escapes them,
    /// as for any PowerShell path); a symbolic link is followed to its final target, so an image opened
    /// through a link is the target (and a dangling link creates its target).
    /// </summary>
    public static class FileSystemPaths
    {
        /// <summary>The file-system path, or null with <paramref name="error"/> saying what is wrong (category and stable id).</summary>
        public static string? Resolve(PSCmdlet cmdlet, string path, string parameterName, out ErrorRecord? error)
        {
            error = null;
            string target;
            ProviderInfo provider;
            try
            {
                if (WildcardPattern.ContainsWildcardCharacters(path))
                {
                    Collection<string> matches;
                    try
                    {
                        matches = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
                    }
                    catch (ItemNotFoundException)
                    {
                        matches = new Collection<string>();
                        provider = cmdlet.SessionState.Path.CurrentLocation.Provider;
                    }

                    if (matches.Count != 1)
                    {
                        error = ErrorRecords.Create(ErrorIds.PathNotUnique, ErrorCategory.InvalidArgument, path,
                            "-" + parameterName + " '" + path + "' has wildcard characters and matches " + (matches.Count == 0 ? "nothing" : matches.Count + " items (" + string.Join(", ", matches.Take(3)) + (matches.Count > 3 ? ", ..." : "") + ")") + "; it must name one file.",
                            "Name one file. To use * ? [ ] literally in a new file's name, escape each with a backtick, e.g. 'disk`[1`].img'.");
                        return null;
                    }

                    target = matches[0];
                }
                else
                {
                    target = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(WildcardPattern.Unescape(path), out provider, out _);
                }
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                error = ErrorRecords.FromException(ex, path, ErrorIds.NotAFileSystemPath);
                return null;
            }

            if (provider.ImplementingType != typeof(FileSystemProvider))
            {
                error = ErrorRecords.Create(ErrorIds.NotAFileSystemPath, ErrorCategory.InvalidArgument, path,
                    "-" + parameterName + " '" + path + "' is on the " + provider.Name + " provider, not the file system.",
                    "Give a file-system path, e.g. ./disk.img or " + System.IO.Path.Combine(System.IO.Path.GetTempPath(), "disk.img") + ".");
                return null;
            }

            return FollowLinks(target);
        }

        /// <summary>The final target of a symbolic link (existing or not); any other path unchanged.</summary>
        public static string FollowLinks(string path)
        {
#if NET
            try
            {
                var info = new FileInfo(path);
                if (info.LinkTarget is null)
                {
                    return path;
                }

                FileSystemInfo? final = info.ResolveLinkTarget(returnFinalTarget: true);
                return final?.FullName ?? path;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return path;   // a loop of links, an unreadable link: the open that follows reports it with the path
            }
#else
            return path;
#endif
        }
    }
}
