using System;
using System.Buffers.Binary;

namespace XenVbd.Scsi
{
    /// <summary>
    /// Parses the UNMAP parameter list (SBC-3 5.28.2): an 8-byte header, then 16-byte block descriptors
    /// (LBA u64, count u32, 4 reserved). Valid ranges go into a caller-supplied span; the result's
    /// <see cref="ScsiResult.Length"/> is the number of extents written.
    /// </summary>
    public static class UnmapParameterList
    {
        public const int HeaderLength = 8;
        public const int DescriptorLength = 16;

        /// <summary>Block limits MAXIMUM UNMAP LBA COUNT: no limit beyond the descriptor's own 32-bit count.</summary>
        public const uint MaxUnmapLbaCount = uint.MaxValue;

        /// <param name="parameterList">The data-out bytes: the first ParameterListLength bytes of the transfer.</param>
        /// <param name="extents">Room for <see cref="ScsiDiskInfo.MaxUnmapDescriptors"/> extents.</param>
        public static ScsiResult Parse(ReadOnlySpan<byte> parameterList, ScsiDiskInfo disk, Span<UnmapExtent> extents)
        {
            if (!disk.DiscardSupported)
            {
                // The disk does not advertise UNMAP (no LBPU), so the opcode is one it does not implement.
                return ScsiResult.Fail(SenseInfo.InvalidOpcode());
            }

            if (parameterList.IsEmpty)
            {
                return ScsiResult.Ok(0); // SBC-3: a zero-length list is not an error, nothing is unmapped
            }

            if (parameterList.Length < HeaderLength)
            {
                return ScsiResult.Fail(SenseInfo.ParameterListLengthError());
            }

            int dataLength = BinaryPrimitives.ReadUInt16BigEndian(parameterList);
            int descriptorBytes = BinaryPrimitives.ReadUInt16BigEndian(parameterList.Slice(2));

            // The lengths in the header must not claim more than the initiator sent.
            if (dataLength > parameterList.Length - 2)
            {
                return ScsiResult.Fail(SenseInfo.InvalidFieldInParameterList(0));
            }

            if (descriptorBytes > parameterList.Length - HeaderLength)
            {
                return ScsiResult.Fail(SenseInfo.InvalidFieldInParameterList(2));
            }

            // A trailing partial descriptor is ignored, as SBC-3 says.
            int count = descriptorBytes / DescriptorLength;
            if ((uint)count > disk.MaxUnmapDescriptors)
            {
                return ScsiResult.Fail(SenseInfo.InvalidFieldInParameterList(2));
            }

            if (count > extents.Length)
            {
                throw new ArgumentException("Room for MaxUnmapDescriptors extents is needed.", nameof(extents));
            }

            int written = 0;
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<byte> d = parameterList.Slice(HeaderLength + (i * DescriptorLength), DescriptorLength);
                ulong lba = BinaryPrimitives.ReadUInt64BigEndian(d);
                uint blocks = BinaryPrimitives.ReadUInt32BigEndian(d.Slice(8));

                // Written so that lba + blocks cannot overflow.
                if (lba > disk.BlockCount || blocks > disk.BlockCount - lba)
                {
                    return ScsiResult.Fail(SenseInfo.LbaOutOfRange());
                }

                if (blocks != 0)
                {
                    extents[written++] = new UnmapExtent(lba, blocks);
                }
            }

            return ScsiResult.Ok(written);
        }
    }
}
