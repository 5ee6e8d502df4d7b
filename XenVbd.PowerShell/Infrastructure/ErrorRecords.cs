using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Reflection;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// Turns engine exceptions and cmdlet-level validation failures into <see cref="ErrorRecord"/>s with a
    /// fitting <see cref="ErrorCategory"/>, a stable error id and a message a person can act on.
    /// An engine exception that is an <see cref="IEngineError"/> brings its own id, category and recommended
    /// action; any other exception gets a category mapped from its type and an id made from its type name.
    /// The FullyQualifiedErrorId PowerShell shows is then "&lt;id&gt;,&lt;cmdlet type&gt;".
    /// </summary>
    public static class ErrorRecords
    {
        /// <summary>Error record for an exception thrown by the engine (or by .NET on the engine's behalf).</summary>
        public static ErrorRecord FromException(Exception exception, object? targetObject, string? fallbackErrorId = null)
        {
            if (exception is null)
            {
                throw new ArgumentNullException(nameof(exception));
            }

            Exception inner = Unwrap(exception);
            var engineError = inner as IEngineError;
            string errorId = NonBlank(engineError?.ErrorId) ?? fallbackErrorId ?? DefaultErrorId(inner);
            ErrorCategory category = engineError is null ? MapCategory(inner) : ToCategory(engineError.Category);
            var record = new ErrorRecord(inner, errorId, category, targetObject);
            string? action = NonBlank(engineError?.RecommendedAction);
            if (!string.IsNullOrEmpty(action))
            {
                record.ErrorDetails = new ErrorDetails(inner.Message) { RecommendedAction = action };
            }

            return record;
        }

        /// <summary>Error record for a failure the cmdlet itself detected (bad input, unknown object, ...).</summary>
        public static ErrorRecord Create(string errorId, ErrorCategory category, object? targetObject, string message, string? recommendedAction = null)
        {
            var record = new ErrorRecord(ExceptionFor(category, message), errorId, category, targetObject);
            if (!string.IsNullOrEmpty(recommendedAction))
            {
                record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = recommendedAction };
            }

            return record;
        }

        /// <summary>The category an exception type maps to when the exception does not name one itself.</summary>
        public static ErrorCategory MapCategory(Exception exception) => exception switch
        {
            ArgumentOutOfRangeException => ErrorCategory.InvalidArgument,
            ArgumentException => ErrorCategory.InvalidArgument,
            FileNotFoundException => ErrorCategory.ObjectNotFound,
            DirectoryNotFoundException => ErrorCategory.ObjectNotFound,
            KeyNotFoundException => ErrorCategory.ObjectNotFound,
            ItemNotFoundException => ErrorCategory.ObjectNotFound,
            UnauthorizedAccessException => ErrorCategory.PermissionDenied,
            EndOfStreamException => ErrorCategory.InvalidData,
            InvalidDataException => ErrorCategory.InvalidData,
            FormatException => ErrorCategory.InvalidData,
            IOException => ErrorCategory.ResourceUnavailable,
            ObjectDisposedException => ErrorCategory.ResourceUnavailable,
            NotImplementedException => ErrorCategory.NotImplemented,
            NotSupportedException => ErrorCategory.NotImplemented,
            TimeoutException => ErrorCategory.OperationTimeout,
            OperationCanceledException => ErrorCategory.OperationStopped,
            OverflowException => ErrorCategory.InvalidArgument,
            InvalidOperationException => ErrorCategory.InvalidOperation,
            _ => ErrorCategory.NotSpecified,
        };

        /// <summary>The PowerShell category of the same name as the engine's.</summary>
        public static ErrorCategory ToCategory(EngineErrorCategory category) => category switch
        {
            EngineErrorCategory.InvalidArgument => ErrorCategory.InvalidArgument,
            EngineErrorCategory.InvalidData => ErrorCategory.InvalidData,
            EngineErrorCategory.ResourceBusy => ErrorCategory.ResourceBusy,
            EngineErrorCategory.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
            EngineErrorCategory.PermissionDenied => ErrorCategory.PermissionDenied,
            EngineErrorCategory.ReadError => ErrorCategory.ReadError,
            EngineErrorCategory.NotInstalled => ErrorCategory.NotInstalled,
            EngineErrorCategory.NotImplemented => ErrorCategory.NotImplemented,
            EngineErrorCategory.OperationTimeout => ErrorCategory.OperationTimeout,
            _ => ErrorCategory.NotSpecified,
        };

        private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

        private static string DefaultErrorId(Exception exception)
        {
            string name = exception.GetType().Name;
            return name.EndsWith("Exception", StringComparison.Ordinal) && name.Length > "Exception".Length
                ? name.Substring(0, name.Length - "Exception".Length)
                : name;
        }

        private static Exception Unwrap(Exception exception)
        {
            Exception current = exception;
            while ((current is TargetInvocationException || current is AggregateException) && current.InnerException is not null)
            {
                if (current is AggregateException aggregate && aggregate.InnerExceptions.Count != 1)
                {
                    break;
                }

                current = current.InnerException;
            }

            return current;
        }

        private static Exception ExceptionFor(ErrorCategory category, string message) => category switch
        {
            ErrorCategory.InvalidArgument => new ArgumentException(message),
            ErrorCategory.ObjectNotFound => new ItemNotFoundException(message),
            ErrorCategory.InvalidData => new InvalidDataException(message),
            ErrorCategory.PermissionDenied => new UnauthorizedAccessException(message),
            ErrorCategory.ResourceUnavailable => new IOException(message),
            ErrorCategory.NotImplemented => new NotSupportedException(message),
            ErrorCategory.OperationTimeout => new TimeoutException(message),
            ErrorCategory.OperationStopped => new OperationCanceledException(message),
            _ => new InvalidOperationException(message),
        };
    }
}
