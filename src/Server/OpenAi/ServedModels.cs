using Microsoft.Extensions.Options;
using Peft.Runtime.Adapters;
using Peft.Server.Errors;
using Peft.Server.Hosting;
using Peft.Server.Options;

namespace Peft.Server.OpenAi;

/// <summary>
/// What OpenAI's <c>model</c> names: the base model under its served name (Model:ServedName, default the model
/// directory's name), or a registered adapter by its id, as vLLM serves LoRA modules. The served name wins over an
/// adapter of the same id.
/// </summary>
internal sealed class ServedModels(IOptions<ModelOptions> options)
{
    private readonly string? _configured = options.Value.ServedName;

    public string BaseName(LoadedModel model) =>
        _configured ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(model.Directory));

    /// <summary>The adapter id <paramref name="name"/> stands for ("" for the base model); 404 when it names nothing.
    /// Adapters are looked up as gRPC requests look them up (AdapterRegistry.Find), so one registered on another
    /// replica sharing the store is served on its first request here too.</summary>
    public string AdapterOf(string name, LoadedModel model)
    {
        if (name == BaseName(model)) return "";
        if (AdapterId.IsValid(name) && model.Registry.Find(name) is not null) return name;
        throw ApiErrors.NotFound($"the model '{name}' does not exist: use '{BaseName(model)}' (the base model) or a registered adapter's id (GET /v1/models lists them)", "model");
    }
}
