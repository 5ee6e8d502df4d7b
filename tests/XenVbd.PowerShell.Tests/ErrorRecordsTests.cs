using System;
using System.IO;
using System.Management.Automation;
using XenVbd.PowerShell.Infrastructure;

namespace XenVbd.PowerShell.Tests
{
    public sealed class ErrorRecordsTests
    {
        /// <summary>An engine exception with its own stable id, category and advice.</summary>
        public sealed class FakeEngineException : Exception, IEngineError
        {
            public FakeEngineException(string message) : base(message) { }
            public string ErrorId => "LbaPastEnd";
            public EngineErrorCategory Category => EngineErrorCategory.InvalidArgument;
            public string RecommendedAction => "Use an LBA below the capacity.";
        }

        /// <summary>Public properties of the same names, without the interface, are not read (no reflection).</summary>
        public sealed class LookAlikeException : Exception
        {
            public LookAlikeException(string message) : base(message) { }
            public string ErrorId => "LbaPastEnd";
            public string RecommendedAction => "Use an LBA below the capacity.";
        }

        [Cmdlet(VerbsDiagnostic.Test, "XenVbdThrow")]
        public sealed class TestThrowCommand : PSCmdlet
        {
            [Parameter] public SwitchParameter Terminating { get; set; }

            protected override void ProcessRecord()
            {
                var ex = new FakeEngineException("LBA 99 is past the end of the disk.");
                if (Terminating)
                {
                    this.ThrowTerminating(ex, 99L);
                }

                this.WriteError(ex, 99L);
                WriteObject("still running");
            }
        }

        [Fact]
        public void EngineErrorId_CategoryAndAdvice_AreUsed()
        {
            ErrorRecord record = ErrorRecords.FromException(new FakeEngineException("boom"), "target");
            Assert.Equal("LbaPastEnd", record.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
            Assert.Equal("Use an LBA below the capacity.", record.ErrorDetails.RecommendedAction);
            Assert.Equal("target", record.TargetObject);
        }

        [Theory]
        [InlineData(XenVbd.Storage.StorageError.ImageLocked, ErrorCategory.ResourceBusy)]
        [InlineData(XenVbd.Storage.StorageError.NotADiskImage, ErrorCategory.InvalidData)]
        [InlineData(XenVbd.Storage.StorageError.ReadOnly, ErrorCategory.PermissionDenied)]
        [InlineData(XenVbd.Storage.StorageError.Misaligned, ErrorCategory.InvalidArgument)]
        [InlineData(XenVbd.Storage.StorageError.MediumError, ErrorCategory.ReadError)]
        public void A_storage_error_keeps_its_id_category_and_advice(XenVbd.Storage.StorageError error, ErrorCategory category)
        {
            var ex = new XenVbd.Storage.StorageException(error, "boom", recommendedAction: "Do this.");
            ErrorRecord record = ErrorRecords.FromException(ex, null);
            Assert.Equal(error.ToString(), record.FullyQualifiedErrorId);
            Assert.Equal(category, record.CategoryInfo.Category);
            Assert.Equal("Do this.", record.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void A_look_alike_without_the_interface_gets_the_type_mapping()
        {
            ErrorRecord record = ErrorRecords.FromException(new LookAlikeException("boom"), null);
            Assert.Equal("LookAlike", record.FullyQualifiedErrorId);
            Assert.Null(record.ErrorDetails);
        }

        [Theory]
        [InlineData(typeof(ArgumentOutOfRangeException), ErrorCategory.InvalidArgument, "ArgumentOutOfRange")]
        [InlineData(typeof(FileNotFoundException), ErrorCategory.ObjectNotFound, "FileNotFound")]
        [InlineData(typeof(UnauthorizedAccessException), ErrorCategory.PermissionDenied, "UnauthorizedAccess")]
        [InlineData(typeof(InvalidDataException), ErrorCategory.InvalidData, "InvalidData")]
        [InlineData(typeof(IOException), ErrorCategory.ResourceUnavailable, "IO")]
        [InlineData(typeof(TimeoutException), ErrorCategory.OperationTimeout, "Timeout")]
        [InlineData(typeof(ObjectDisposedException), ErrorCategory.ResourceUnavailable, "ObjectDisposed")]
        [InlineData(typeof(InvalidOperationException), ErrorCategory.InvalidOperation, "InvalidOperation")]
        [InlineData(typeof(Exception), ErrorCategory.NotSpecified, "Exception")]
        public void ExceptionTypes_MapToCategories(Type type, ErrorCategory category, string id)
        {
            var ex = type == typeof(ObjectDisposedException)
                ? new ObjectDisposedException("device")
                : (Exception)Activator.CreateInstance(type, "message")!;
            ErrorRecord record = ErrorRecords.FromException(ex, null);
            Assert.Equal(category, record.CategoryInfo.Category);
            Assert.Equal(id, record.FullyQualifiedErrorId);
        }

        [Fact]
        public void FallbackId_IsUsedWhenTheExceptionHasNone_AndWrappersAreUnwrapped()
        {
            var wrapped = new AggregateException(new ArgumentException("bad size"));
            ErrorRecord record = ErrorRecords.FromException(wrapped, null, "SizeNotMultipleOfSector");
            Assert.Equal("SizeNotMultipleOfSector", record.FullyQualifiedErrorId);
            Assert.IsType<ArgumentException>(record.Exception);
        }

        [Fact]
        public void Create_BuildsARecordWithAMatchingException()
        {
            ErrorRecord record = ErrorRecords.Create("DeviceNotFound", ErrorCategory.ObjectNotFound, "vbd9", "No device named 'vbd9'.", "Run Get-VbdDevice.");
            Assert.Equal("DeviceNotFound", record.FullyQualifiedErrorId);
            Assert.IsType<ItemNotFoundException>(record.Exception);
            Assert.Equal("Run Get-VbdDevice.", record.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void InACmdlet_NonTerminatingErrorKeepsGoing_TerminatingStops()
        {
            using var host = PowerShellHost.WithCmdlets(("Test-XenVbdThrow", typeof(TestThrowCommand)));
            var output = host.Script("Test-XenVbdThrow", out ErrorRecord[] errors);
            Assert.Equal("still running", Assert.Single(output).BaseObject);
            ErrorRecord error = Assert.Single(errors);
            Assert.Equal("LbaPastEnd," + typeof(TestThrowCommand).FullName, error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);

            var thrown = Assert.ThrowsAny<RuntimeException>(() => host.Invoke(ps => ps.AddCommand("Test-XenVbdThrow").AddParameter("Terminating")));
            Assert.Equal("LbaPastEnd," + typeof(TestThrowCommand).FullName, thrown.ErrorRecord.FullyQualifiedErrorId);
        }
    }
}
