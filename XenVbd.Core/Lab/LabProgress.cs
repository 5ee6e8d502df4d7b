namespace XenVbd.Lab
{
    /// <summary>Where a lab run is, for Write-Progress.</summary>
    public readonly record struct LabProgress(string Lab, string Step, int Percent);
}
