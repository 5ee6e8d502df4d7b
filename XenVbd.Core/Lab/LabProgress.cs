namespace XenVbd.Lab
{
    /// <summary>Where a lab run is, for Write-Progress.</summary>
    public readonly struct LabProgress
    {
        public LabProgress(string lab, string step, int percent)
        {
            Lab = lab;
            Step = step;
            Percent = percent;
        }

        public string Lab { get; }
        public string Step { get; }
        public int Percent { get; }
    }
}
