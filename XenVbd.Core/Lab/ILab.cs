namespace XenVbd.Lab
{
    /// <summary>One lab: a named experiment that runs from a seed and judges itself.</summary>
    public interface ILab
    {
        /// <summary>The name <c>Invoke-VbdLab -Name</c> takes.</summary>
        string Name { get; }

        string Description { get; }

        LabResult Run(LabContext context);
    }
}
