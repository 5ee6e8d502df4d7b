namespace XenVbd.Xen
{
    /// <summary>The interrupt handler bound to one end of an event channel.</summary>
    public interface IEventChannelHandler
    {
        void OnEvent(EventChannelEnd end);
    }
}
