using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Peft.Tools.ContainerImage;

namespace Peft.Tools.Tests.Deploy;

/// <summary>The base image's layout and the pull-only registry the SDK's container publishing pulls it from.</summary>
[SupportedOSPlatform("linux")]
public sealed class OciRegistryTests
{
    [Fact]
    public async Task A_client_pulls_the_tagged_manifest_its_config_and_layer_by_digest()
    {
        string work = Directory.CreateTempSubdirectory("peft-oci").FullName;
        try
        {
            string rootfs = Path.Combine(work, "rootfs");
            Directory.CreateDirectory(Path.Combine(rootfs, "etc"));
            File.WriteAllText(Path.Combine(rootfs, "etc", "passwd"), "app:x:1654:1654::/home/app:/usr/sbin/nologin\n");
            File.CreateSymbolicLink(Path.Combine(rootfs, "lib64"), "usr/lib64");
            var image = OciLayout.Write(rootfs, Path.Combine(work, "layout"), "bookworm", "1654", DateTimeOffset.UnixEpoch);
            await using var registry = await PullOnlyRegistry.StartAsync(Path.Combine(work, "layout"), 0);
            using var http = new HttpClient { BaseAddress = registry.Address };

            using var manifestResponse = await http.GetAsync(new Uri("/v2/peft-base/manifests/bookworm", UriKind.Relative));
            byte[] manifestBytes = await manifestResponse.Content.ReadAsByteArrayAsync();
            var manifest = JsonNode.Parse(manifestBytes)!;
            string configDigest = (string)manifest["config"]!["digest"]!;
            string layerDigest = (string)manifest["layers"]![0]!["digest"]!;
            byte[] config = await http.GetByteArrayAsync(new Uri($"/v2/peft-base/blobs/{configDigest}", UriKind.Relative));
            byte[] layer = await http.GetByteArrayAsync(new Uri($"/v2/peft-base/blobs/{layerDigest}", UriKind.Relative));
            using var unknown = await http.GetAsync(new Uri("/v2/peft-base/manifests/other", UriKind.Relative));
            using var push = await http.PostAsync(new Uri("/v2/peft-base/blobs/uploads/", UriKind.Relative), null);

            Assert.Equal(HttpStatusCode.OK, manifestResponse.StatusCode);
            Assert.Equal("application/vnd.oci.image.manifest.v1+json", manifestResponse.Content.Headers.ContentType!.MediaType);
            Assert.Equal(image.ManifestDigest, Digest(manifestBytes));
            Assert.Equal(image.ManifestDigest, manifestResponse.Headers.GetValues("Docker-Content-Digest").Single());
            Assert.Equal(configDigest, Digest(config));
            Assert.Equal(layerDigest, Digest(layer));
            Assert.Equal("1654", (string)JsonNode.Parse(config)!["config"]!["User"]!);
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, push.StatusCode);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public void The_same_tree_makes_the_same_layer()
    {
        string work = Directory.CreateTempSubdirectory("peft-oci").FullName;
        try
        {
            string rootfs = Path.Combine(work, "rootfs");
            Directory.CreateDirectory(Path.Combine(rootfs, "b"));
            File.WriteAllText(Path.Combine(rootfs, "b", "file"), "x");
            File.WriteAllText(Path.Combine(rootfs, "a"), "y");

            var first = OciLayout.Write(rootfs, Path.Combine(work, "one"), "t", "1654", DateTimeOffset.UnixEpoch);
            File.SetLastWriteTimeUtc(Path.Combine(rootfs, "a"), DateTime.UtcNow);
            var second = OciLayout.Write(rootfs, Path.Combine(work, "two"), "t", "1654", DateTimeOffset.UnixEpoch);

            Assert.Equal(first.ManifestDigest, second.ManifestDigest);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
