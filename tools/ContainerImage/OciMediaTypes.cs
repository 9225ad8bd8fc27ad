namespace Peft.Tools.ContainerImage;

/// <summary>The OCI image-spec media types this tool writes and serves.</summary>
internal static class OciMediaTypes
{
    public const string Index = "application/vnd.oci.image.index.v1+json";
    public const string Manifest = "application/vnd.oci.image.manifest.v1+json";
    public const string Config = "application/vnd.oci.image.config.v1+json";
    public const string GzipLayer = "application/vnd.oci.image.layer.v1.tar+gzip";

    /// <summary>The index annotation that names a manifest's tag.</summary>
    public const string RefName = "org.opencontainers.image.ref.name";
}
