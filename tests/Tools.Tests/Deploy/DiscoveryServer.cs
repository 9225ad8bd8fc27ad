using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Peft.Tools.Tests.Deploy;

/// <summary>
/// The discovery part of a Kubernetes API server on loopback, which is all <c>kubectl apply --dry-run=client
/// --validate=false</c> asks of a cluster: API groups, each group version's resources (kind, plural, namespaced), and
/// 404 for every object it looks up (so each one is "created"). The resources are the built-in kinds of
/// Kubernetes v1.32 the manifests use and the kinds the inference extension's CRDs define (InferencePool,
/// inference.networking.k8s.io/v1; InferenceObjective and InferenceModelRewrite, llm-d.ai/v1alpha2): an object of
/// any other kind or version fails as on a cluster without it.
/// </summary>
internal sealed class DiscoveryServer : IAsyncDisposable
{
    private static readonly (string GroupVersion, string Plural, string Kind)[] Resources =
    [
        ("v1", "secrets", "Secret"),
        ("v1", "services", "Service"),
        ("v1", "configmaps", "ConfigMap"),
        ("v1", "persistentvolumeclaims", "PersistentVolumeClaim"),
        ("v1", "serviceaccounts", "ServiceAccount"),
        ("apps/v1", "deployments", "Deployment"),
        ("policy/v1", "poddisruptionbudgets", "PodDisruptionBudget"),
        ("inference.networking.k8s.io/v1", "inferencepools", "InferencePool"),
        ("llm-d.ai/v1alpha2", "inferenceobjectives", "InferenceObjective"),
        ("llm-d.ai/v1alpha2", "inferencemodelrewrites", "InferenceModelRewrite"),
    ];

    private readonly WebApplication _app;

    private DiscoveryServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<DiscoveryServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/api", () => Results.Json(new { kind = "APIVersions", versions = new[] { "v1" } }));
        app.MapGet("/apis", () => Results.Json(new
        {
            kind = "APIGroupList",
            apiVersion = "v1",
            groups = Resources.Select(r => r.GroupVersion).Distinct().Where(gv => gv.Contains('/')).Select(gv =>
            {
                var version = new { groupVersion = gv, version = gv.Split('/')[1] };
                return new { name = gv.Split('/')[0], versions = new[] { version }, preferredVersion = version };
            }),
        }));
        app.MapGet("/api/v1", () => ResourceList("v1"));
        app.MapGet("/apis/{group}/{version}", (string group, string version) => ResourceList($"{group}/{version}"));
        app.MapFallback((HttpContext http) => Results.Json(new
        {
            kind = "Status",
            apiVersion = "v1",
            status = "Failure",
            reason = "NotFound",
            code = 404,
            message = $"{http.Request.Path} not found",
        }, statusCode: 404));
        await app.StartAsync();
        return new DiscoveryServer(app, new Uri(app.Urls.First()));
    }

    /// <summary>A kubeconfig that points kubectl here, namespace default.</summary>
    public string WriteKubeconfig(string directory)
    {
        string path = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: discovery
              cluster:
                server: {Address.ToString().TrimEnd('/')}
            users:
            - name: nobody
              user: {"{}"}
            contexts:
            - name: discovery
              context:
                cluster: discovery
                user: nobody
                namespace: default
            current-context: discovery
            """);
        return path;
    }

    private static IResult ResourceList(string groupVersion)
    {
        var resources = Resources.Where(r => r.GroupVersion == groupVersion).Select(r => new
        {
            name = r.Plural,
            singularName = r.Kind.ToLowerInvariant(),
            namespaced = true,
            kind = r.Kind,
            verbs = new[] { "create", "delete", "get", "list", "patch", "update", "watch" },
        }).ToArray();
        return resources.Length == 0
            ? Results.NotFound()
            : Results.Json(new { kind = "APIResourceList", apiVersion = "v1", groupVersion, resources }, new JsonSerializerOptions());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
