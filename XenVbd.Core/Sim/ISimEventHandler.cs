namespace XenVbd.Sim
{
    /// <summary>
    /// An actor that receives scheduled events. Events carry a kind and an argument instead of a
    /// closure so that scheduling on the I/O path allocates nothing.
    /// </summary>
    public interface ISimEventHandler
    {
        void OnSimEvent(int kind, long argument);
    }
}
