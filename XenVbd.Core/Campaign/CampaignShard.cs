using System;
using System.Globalization;

namespace XenVbd.Campaign
{
    /// <summary>
    /// Slice <see cref="Number"/> of <see cref="Count"/> (1-based, as <c>-Shard 2/4</c>): the cases whose index
    /// leaves remainder Number-1 modulo Count. Striding rather than cutting into blocks keeps shards equally
    /// heavy when the matrix puts its slow axis values together.
    /// </summary>
    public readonly record struct CampaignShard
    {
        public CampaignShard(int number, int count)
        {
            if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "A campaign has at least one shard.");
            if (number < 1 || number > count) throw new ArgumentOutOfRangeException(nameof(number), number, "Shard numbers run 1.." + count + ".");
            Number = number;
            Count = count;
        }

        public static CampaignShard All => new CampaignShard(1, 1);

        public int Number { get; }

        public int Count { get; }

        public bool IsAll => Count == 1;

        public bool Contains(long caseIndex) => caseIndex % Count == Number - 1;

        /// <summary>Cases of a matrix of <paramref name="total"/> this shard runs.</summary>
        public long CasesOf(long total) => total <= Number - 1 ? 0 : (total - Number) / Count + 1;

        /// <summary>The i-th case index of this shard.</summary>
        public long CaseIndex(long i) => i * Count + (Number - 1);

        /// <summary>Reads <c>i/N</c>; the message says what was wrong.</summary>
        public static CampaignShard Parse(string text)
        {
            if (text == null) throw new ArgumentNullException(nameof(text));
            int slash = text.IndexOf('/');
            if (slash <= 0 || !int.TryParse(text.Substring(0, slash).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int i)
                || !int.TryParse(text.Substring(slash + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n))
                throw new FormatException("A shard is written i/N (e.g. 2/4: the second of four), not '" + text + "'.");
            if (n < 1 || i < 1 || i > n) throw new FormatException("Shard '" + text + "' is out of range: i runs 1..N and N is at least 1.");
            return new CampaignShard(i, n);
        }

        public override string ToString() => Number.ToString(CultureInfo.InvariantCulture) + "/" + Count.ToString(CultureInfo.InvariantCulture);
    }
}
