using System.Text.Json.Nodes;

namespace Peft.Tools.ContainerImage;

/// <summary>
/// The read side of the OCI distribution API over an image layout, on loopback and plain HTTP (the .NET SDK talks
/// HTTP to registries named <c>localhost:PORT</c>): <c>GET /v2/</c>, <c>GET|HEAD /v2/NAME/manifests/TAG-or-DIGEST</c>
/// and <c>GET|HEAD /v2/NAME/blobs/DIGEST</c>. Every repository name serves the layout's tags. Pushes are refused.
/// </summary>
internal sealed class PullOnlyRegistry : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PullOnlyRegistry(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<PullOnlyRegistry> StartAsync(string layout, int port)
    {
        layout = Path.GetFullPath(layout);
        var tags = ReadTags(layout);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // localhost (both loopbacks) for the SDK's "localhost:PORT"; port 0 (tests) binds IPv4 loopback only.
        builder.WebHost.ConfigureKestrel(k =>
        {
            if (port == 0) k.Listen(System.Net.IPAddress.Loopback, 0);
            else k.ListenLocalhost(port);
        });
        var app = builder.Build();
        app.MapGet("/v2/", () => Results.Json(new { }));
        app.MapMethods("/v2/{**path}", ["GET", "HEAD"], (string path) => Serve(layout, tags, path));
        app.Map("/v2/{**path}", () => Error(StatusCodes.Status405MethodNotAllowed, "UNSUPPORTED", "this registry is pull-only"));
        await app.StartAsync();
        var bound = new Uri(app.Urls.First());
        return new PullOnlyRegistry(app, bound);
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    private static IResult Serve(string layout, Dictionary<string, (string Digest, string MediaType)> tags, string path)
    {
        int manifests = path.LastIndexOf("/manifests/", StringComparison.Ordinal);
        int blobs = path.LastIndexOf("/blobs/", StringComparison.Ordinal);
        if (manifests > 0)
        {
            string reference = path[(manifests + "/manifests/".Length)..];
            string? digest = tags.TryGetValue(reference, out var tagged) ? tagged.Digest : OciLayout.IsDigest(reference) ? reference : null;
            if (digest is null || !File.Exists(OciLayout.BlobPath(layout, digest)))
                return Error(StatusCodes.Status404NotFound, "MANIFEST_UNKNOWN", $"no manifest '{reference}'");
            string mediaType = tagged.MediaType ?? (string?)JsonNode.Parse(File.ReadAllText(OciLayout.BlobPath(layout, digest)))?["mediaType"] ?? OciMediaTypes.Manifest;
            return Blob(layout, digest, mediaType);
        }
        if (blobs > 0)
        {
            string digest = path[(blobs + "/blobs/".Length)..];
            if (!OciLayout.IsDigest(digest) || !File.Exists(OciLayout.BlobPath(layout, digest)))
                return Error(StatusCodes.Status404NotFound, "BLOB_UNKNOWN", $"no blob '{digest}'");
            return Blob(layout, digest, "application/octet-stream");
        }
        return Error(StatusCodes.Status404NotFound, "NAME_UNKNOWN", $"'{path}' names no manifest or blob");
    }

    private static DigestResult Blob(string layout, string digest, string mediaType) => new DigestResult(
        Results.File(OciLayout.BlobPath(layout, digest), mediaType, enableRangeProcessing: true), digest);

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new { errors = new[] { new { code, message } } }, statusCode: status);

    /// <summary>Tag → manifest descriptor, from index.json's ref-name annotations.</summary>
    internal static Dictionary<string, (string Digest, string MediaType)> ReadTags(string layout)
    {
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))
            ?? throw new InvalidDataException($"{layout}/index.json is empty");
        var tags = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var manifest in index["manifests"]?.AsArray() ?? [])
            if ((string?)manifest?["annotations"]?[OciMediaTypes.RefName] is { } tag)
                tags[tag] = ((string)manifest!["digest"]!, (string)manifest["mediaType"]!);
        return tags;
    }

    private sealed class DigestResult(IResult inner, string digest) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers["Docker-Content-Digest"] = digest;
            return inner.ExecuteAsync(httpContext);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
