using System;
using System.Management.Automation;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// How cmdlets report errors, all the same way: a terminating error (<c>ThrowTerminating</c>, stops the
    /// pipeline) or a non-terminating one (<c>WriteError</c>, the cmdlet carries on), made from an engine
    /// exception or from what the cmdlet detected itself.
    /// </summary>
    public static class CmdletErrors
    {
        /// <summary>Stops the pipeline with a terminating error made from an engine exception.</summary>
        public static void ThrowTerminating(this Cmdlet cmdlet, Exception exception, object? targetObject, string? fallbackErrorId = null)
        {
            Require(cmdlet).ThrowTerminatingError(ErrorRecords.FromException(exception, targetObject, fallbackErrorId));
        }

        /// <summary>Stops the pipeline with a terminating error the cmdlet detected itself.</summary>
        public static void ThrowTerminating(this Cmdlet cmdlet, string errorId, ErrorCategory category, object? targetObject, string message, string? recommendedAction = null)
        {
            Require(cmdlet).ThrowTerminatingError(ErrorRecords.Create(errorId, category, targetObject, message, recommendedAction));
        }

        /// <summary>Writes a non-terminating error made from an engine exception; the cmdlet carries on with the next input.</summary>
        public static void WriteError(this Cmdlet cmdlet, Exception exception, object? targetObject, string? fallbackErrorId = null)
        {
            Require(cmdlet).WriteError(ErrorRecords.FromException(exception, targetObject, fallbackErrorId));
        }

        /// <summary>Writes a non-terminating error the cmdlet detected itself.</summary>
        public static void WriteError(this Cmdlet cmdlet, string errorId, ErrorCategory category, object? targetObject, string message, string? recommendedAction = null)
        {
            Require(cmdlet).WriteError(ErrorRecords.Create(errorId, category, targetObject, message, recommendedAction));
        }

        private static Cmdlet Require(Cmdlet cmdlet) => cmdlet ?? throw new ArgumentNullException(nameof(cmdlet));
    }
}
