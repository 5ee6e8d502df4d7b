namespace XenVbd.Frontend
{
    /// <summary>
    /// A FIFO of SRBs linked through the SRBs themselves, so queueing when the ring is full allocates
    /// nothing (the driver runs where it may not allocate).
    /// </summary>
    internal sealed class SrbQueue
    {
        private Srb? _head;
        private Srb? _tail;

        public int Count { get; private set; }

        public Srb? Head => _head;

        public void Enqueue(Srb srb)
        {
            srb.NextInQueue = null;
            if (_tail == null) _head = srb;
            else _tail.NextInQueue = srb;
            _tail = srb;
            Count++;
        }

        public void PushFront(Srb srb)
        {
            srb.NextInQueue = _head;
            _head = srb;
            if (_tail == null) _tail = srb;
            Count++;
        }

        public Srb? Dequeue()
        {
            var s = _head;
            if (s == null) return null;
            _head = s.NextInQueue;
            if (_head == null) _tail = null;
            s.NextInQueue = null;
            Count--;
            return s;
        }

        /// <summary>Unlinks <paramref name="srb"/>, whose predecessor is <paramref name="previous"/> (null for the head).</summary>
        public void Remove(Srb? previous, Srb srb)
        {
            if (previous == null) _head = srb.NextInQueue;
            else previous.NextInQueue = srb.NextInQueue;
            if (_tail == srb) _tail = previous;
            srb.NextInQueue = null;
            Count--;
        }

        public bool Contains(Srb srb)
        {
            for (var s = _head; s != null; s = s.NextInQueue)
                if (s == srb) return true;
            return false;
        }
    }
}
