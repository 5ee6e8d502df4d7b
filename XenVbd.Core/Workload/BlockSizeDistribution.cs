using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using XenVbd.Sim;

namespace XenVbd.Workload
{
    /// <summary>
    /// Transfer sizes as weighted choices (fio's <c>bssplit</c>), plus optional bursts: once in a while a
    /// run of consecutive large transfers, the way chkdsk or a defragmenter hits a disk between long
    /// stretches of small metadata I/O.
    /// </summary>
    public sealed class BlockSizeDistribution
    {
        private readonly int[] _sizes;
        private readonly double[] _cumulative;
        private readonly int[] _burstSizes;

        public BlockSizeDistribution(IEnumerable<KeyValuePair<int, double>> weights, double burstProbability = 0, int burstLength = 0, IEnumerable<int>? burstSizes = null)
        {
            var list = weights?.ToList() ?? throw new ArgumentNullException(nameof(weights));
            if (list.Count == 0) throw new ArgumentException("At least one block size is needed.", nameof(weights));
            _sizes = new int[list.Count];
            _cumulative = new double[list.Count];
            double total = 0;
            for (int i = 0; i < list.Count; i++)
            {
                if (list[i].Key <= 0 || list[i].Key % 512 != 0) throw new ArgumentOutOfRangeException(nameof(weights), list[i].Key, "Block sizes are positive multiples of 512 bytes.");
                if (!(list[i].Value > 0)) throw new ArgumentOutOfRangeException(nameof(weights), list[i].Value, "Weights must be positive.");
                total += list[i].Value;
                _sizes[i] = list[i].Key;
                _cumulative[i] = total;
            }
            for (int i = 0; i < _cumulative.Length; i++) _cumulative[i] /= total;
            _burstSizes = burstSizes?.ToArray() ?? Array.Empty<int>();
            if (burstProbability < 0 || burstProbability > 1) throw new ArgumentOutOfRangeException(nameof(burstProbability), burstProbability, "A probability lies in [0, 1].");
            if (burstProbability > 0 && (burstLength <= 0 || _burstSizes.Length == 0)) throw new ArgumentException("Bursts need a length and sizes.", nameof(burstSizes));
            foreach (var s in _burstSizes) if (s <= 0 || s % 512 != 0) throw new ArgumentOutOfRangeException(nameof(burstSizes), s, "Burst sizes are positive multiples of 512 bytes.");
            BurstProbability = burstProbability;
            BurstLength = burstLength;
        }

        public static BlockSizeDistribution Fixed(int bytes) => new BlockSizeDistribution(new[] { new KeyValuePair<int, double>(bytes, 1) });

        /// <summary>
        /// The Windows mix: Windows I/O on a Xen disk as the Xen wiki's GPLPV page (2008) pictures it, mostly 512-byte transfers,
        /// rarely 4 KiB, very rarely 8 KiB, and chkdsk-like bursts of 64 KiB to 1 MiB transfers above that.
        /// </summary>
        public static BlockSizeDistribution WindowsMix => new BlockSizeDistribution(
            new[] { new KeyValuePair<int, double>(512, 0.90), new KeyValuePair<int, double>(4096, 0.08), new KeyValuePair<int, double>(8192, 0.02) },
            burstProbability: 0.002, burstLength: 16, burstSizes: new[] { 65536, 131072, 262144, 1048576 });

        /// <summary>Chkdsk alone: large transfers only.</summary>
        public static BlockSizeDistribution ChkdskBurst => new BlockSizeDistribution(
            new[] { new KeyValuePair<int, double>(65536, 0.4), new KeyValuePair<int, double>(131072, 0.3), new KeyValuePair<int, double>(262144, 0.2), new KeyValuePair<int, double>(1048576, 0.1) });

        public IReadOnlyList<int> Sizes => _sizes;

        public double BurstProbability { get; }

        public int BurstLength { get; }

        public int MaxBytes => Math.Max(_sizes.Max(), _burstSizes.Length == 0 ? 0 : _burstSizes.Max());

        /// <summary>Draws a size; <paramref name="burstLeft"/> carries the state of a running burst between calls.</summary>
        public int Sample(SimRandom random, ref int burstLeft)
        {
            if (burstLeft > 0)
            {
                burstLeft--;
                return _burstSizes[random.Next(_burstSizes.Length)];
            }
            if (BurstProbability > 0 && random.Chance(BurstProbability))
            {
                burstLeft = BurstLength - 1;
                return _burstSizes[random.Next(_burstSizes.Length)];
            }
            double u = random.NextDouble();
            for (int i = 0; i < _cumulative.Length; i++) if (u < _cumulative[i]) return _sizes[i];
            return _sizes[_sizes.Length - 1];
        }

        public override string ToString()
        {
            var parts = new List<string>();
            double prev = 0;
            for (int i = 0; i < _sizes.Length; i++)
            {
                parts.Add(_sizes[i].ToString(CultureInfo.InvariantCulture) + "/" + ((_cumulative[i] - prev) * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%");
                prev = _cumulative[i];
            }
            var s = string.Join(":", parts);
            if (BurstProbability > 0)
                s += " burst " + BurstProbability.ToString("0.####", CultureInfo.InvariantCulture) + " x" + BurstLength + " of " + string.Join("/", _burstSizes);
            return s;
        }
    }
}
