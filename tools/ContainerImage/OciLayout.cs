using System.Text.Json;
using System.Text.Json.Nodes;

namespace Peft.Tools.ContainerImage;

/// <summary>
/// An OCI image layout (image-spec <c>image-layout.md</c>): <c>oci-layout</c>, <c>index.json</c> naming the tag,
/// and content-addressed <c>blobs/sha256/</c>. <see cref="Write"/> makes a one-layer linux/amd64 image of a root file
/// system; the .NET SDK then puts the application layer on top of it.
/// </summary>
internal static class OciLayout
{
    public const string SearchPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static OciImage Write(string rootfs, string output, string tag, string user, DateTimeOffset created)
    {
        if (!Directory.Exists(rootfs)) throw new DirectoryNotFoundException($"root file system {rootfs} does not exist");
        string blobs = Path.Combine(output, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        File.WriteAllText(Path.Combine(output, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");

        string staging = Path.Combine(blobs, ".layer.tmp");
        (string Digest, long Size, string DiffId) layer;
        using (var file = File.Create(staging)) layer = LayerWriter.Write(rootfs, file, created);
        File.Move(staging, BlobPath(output, layer.Digest), overwrite: true);

        string stamp = created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ");
        var config = new JsonObject
        {
            ["created"] = stamp,
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = new JsonObject { ["User"] = user, ["Env"] = new JsonArray(SearchPath), ["WorkingDir"] = "/" },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(layer.DiffId) },
            ["history"] = new JsonArray(new JsonObject { ["created"] = stamp, ["created_by"] = "peft-oci layout (root file system of Debian packages)" }),
        };
        var configBlob = WriteBlob(output, config);
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciMediaTypes.Manifest,
            ["config"] = Descriptor(OciMediaTypes.Config, configBlob),
            ["layers"] = new JsonArray(Descriptor(OciMediaTypes.GzipLayer, (layer.Digest, layer.Size))),
        };
        var manifestBlob = WriteBlob(output, manifest);
        var entry = Descriptor(OciMediaTypes.Manifest, manifestBlob);
        entry["annotations"] = new JsonObject { [OciMediaTypes.RefName] = tag };
        entry["platform"] = new JsonObject { ["architecture"] = "amd64", ["os"] = "linux" };
        var index = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = OciMediaTypes.Index, ["manifests"] = new JsonArray(entry) };
        File.WriteAllText(Path.Combine(output, "index.json"), index.ToJsonString());
        return new OciImage(manifestBlob.Digest, layer.Size);
    }

    /// <summary>The file of a blob; throws for anything but a well-formed sha256 digest, so a request path never
    /// leaves the layout.</summary>
    public static string BlobPath(string layout, string digest)
    {
        if (!IsDigest(digest)) throw new ArgumentException($"'{digest}' is not a sha256 digest", nameof(digest));
        return Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);
    }

    public static bool IsDigest(string text) =>
        text.Length == 71 && text.StartsWith("sha256:", StringComparison.Ordinal) && text[7..].All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private static (string Digest, long Size) WriteBlob(string layout, JsonNode json)
    {
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(json);
        string digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        File.WriteAllBytes(BlobPath(layout, digest), bytes);
        return (digest, bytes.LongLength);
    }

    private static JsonObject Descriptor(string mediaType, (string Digest, long Size) blob) =>
        new() { ["mediaType"] = mediaType, ["digest"] = blob.Digest, ["size"] = blob.Size };
}

internal sealed record OciImage(string ManifestDigest, long LayerBytes);
