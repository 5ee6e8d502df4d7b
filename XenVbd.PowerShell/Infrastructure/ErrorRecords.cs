using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using XenVbd.Storage;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// Turns engine exceptions and cmdlet-level validation failures into <see cref="ErrorRecord"/>s with a
    /// fitting <see cref="ErrorCategory"/>, a stable error id and a message a person can act on.
    /// Engine exceptions may carry their own id and category: a public string property <c>ErrorId</c>
    /// becomes the record's id, and a property <c>Category</c> or <c>ErrorCategory</c> (an
    /// <see cref="ErrorCategory"/> or its name as a string) overrides the category mapped from the
    /// exception type. A string property <c>RecommendedAction</c> fills <see cref="ErrorDetails.RecommendedAction"/>.
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
            string errorId = GetErrorId(inner) ?? fallbackErrorId ?? DefaultErrorId(inner);
            ErrorCategory category = GetCategoryOverride(inner) ?? MapCategory(inner);
            var record = new ErrorRecord(inner, errorId, category, targetObject);
            string? action = GetStringProperty(inner, "RecommendedAction");
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
            StorageException storage => storage.Error switch
            {
                StorageError.NotADiskImage => ErrorCategory.InvalidData,
                StorageError.ImageLocked => ErrorCategory.ResourceBusy,
                StorageError.ReadOnly => ErrorCategory.PermissionDenied,
                StorageError.OutOfRange => ErrorCategory.InvalidArgument,
                StorageError.Misaligned => ErrorCategory.InvalidArgument,
                StorageError.MediumError => ErrorCategory.ReadError,
                _ => ErrorCategory.ResourceUnavailable,
            },
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

        /// <summary>The exception's own <c>ErrorId</c> string property, if it has one.</summary>
        public static string? GetErrorId(Exception exception) => GetStringProperty(exception, "ErrorId");

        private static ErrorCategory? GetCategoryOverride(Exception exception)
        {
            foreach (string name in new[] { "ErrorCategory", "Category" })
            {
                PropertyInfo? property = exception.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
                if (property is null || property.GetIndexParameters().Length != 0)
                {
                    continue;
                }

                object? value = property.GetValue(exception);
                if (value is ErrorCategory category)
                {
                    return category;
                }

                string? text = value?.ToString();
                if (text is not null && Enum.TryParse(text, ignoreCase: true, out ErrorCategory parsed) && Enum.IsDefined(typeof(ErrorCategory), parsed))
                {
                    return parsed;
                }
            }

            return null;
        }

        private static string? GetStringProperty(Exception exception, string name)
        {
            PropertyInfo? property = exception.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
            if (property is null || property.PropertyType != typeof(string) || property.GetIndexParameters().Length != 0)
            {
                return null;
            }

            string? value = property.GetValue(exception) as string;
            return string.IsNullOrWhiteSpace(value) ? null : value;
        }

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

    /// <summary>Throw/write helpers so cmdlets report errors the same way.</summary>
    public static class ThrowHelper
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
