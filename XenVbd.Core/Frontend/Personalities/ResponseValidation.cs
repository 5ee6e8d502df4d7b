namespace XenVbd.Frontend
{
    /// <summary>How much a frontend trusts the responses the backend puts on the ring.</summary>
    public enum ResponseValidation
    {
        /// <summary>This project's design: copy once, reject rsp_prod ahead, bad ids and ops; go Broken and fail every pending SRB once.</summary>
        Hardened = 0,

        /// <summary>GPLPV: complete through <c>shadows[id &amp; mask]</c> with no check of id, operation or rsp_prod.</summary>
        Unchecked,

        /// <summary>The Xen Project driver: a response whose id is not a submitted request is ignored; the operation is never checked.</summary>
        IgnoreUnknownIds,

        /// <summary>Linux blkfront since 2021: the same checks as Hardened, but the device is only disabled; outstanding I/O is left hanging.</summary>
        DisableAndLeaveHanging,
    }
}
