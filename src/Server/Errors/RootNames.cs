using Microsoft.Extensions.Options;
using Peft.Runtime.Storage;
using Peft.Server.Options;

namespace Peft.Server.Errors;

/// <summary>
/// Keeps the server's directories out of what callers read: every gRPC status detail and HTTP error body has the configured roots (model,
/// adapter roots, store, jobs, data root; as configured and as real paths) replaced by their configuration names,
/// e.g. <c>&lt;Adapters:StoreDirectory&gt;/adapters/a/…</c>. Runtime messages may name files; callers learn where
/// under a root, never where the root is.
/// </summary>
internal sealed class RootNames
{
    private readonly (string Path, string Name)[] _roots;

    public RootNames(ContentPaths paths, IOptions<ModelOptions> model, IOptions<AdapterOptions> adapters, IOptions<TrainingOptions> training)
    {
        var named = new List<(string, string)> { (paths.Resolve(model.Value.Path), "<Model:Path>") };
        for (int i = 0; i < adapters.Value.Roots.Count; i++) named.Add((paths.Resolve(adapters.Value.Roots[i]), $"<Adapters:Roots:{i}>"));
        named.Add((paths.Resolve(adapters.Value.StoreDirectory), "<Adapters:StoreDirectory>"));
        named.Add((paths.Resolve(training.Value.JobsDirectory), "<Training:JobsDirectory>"));
        if (training.Value.DataRoot is { } data) named.Add((paths.Resolve(data), "<Training:DataRoot>"));
        _roots = [.. named
            .SelectMany(r => RealPath.Of(r.Item1) is { } real && real != r.Item1 ? [r, (real, r.Item2)] : new[] { r })
            .Select(r => (Path.TrimEndingDirectorySeparator(r.Item1), r.Item2))
            .Where(r => r.Item1.Length > 1)
            .OrderByDescending(r => r.Item1.Length)];
    }

    public string Redact(string message)
    {
        foreach (var (path, name) in _roots)
            if (message.Contains(path, StringComparison.Ordinal)) message = message.Replace(path, name, StringComparison.Ordinal);
        return message;
    }

    public Grpc.Core.Status Redact(Grpc.Core.Status status) => new(status.StatusCode, Redact(status.Detail));

    public ApiException Redact(ApiException error) => Redact(error.Message) is var message && message == error.Message
        ? error
        : new ApiException(error.Kind, message, error.Param);
}
