using Peft.Server.Calls;
using Peft.Server.Errors;
using Peft.Server.Hosting;

namespace Peft.Server.OpenAi;

/// <summary>
/// vLLM's runtime adapter loading on the admin endpoint, mapped onto the registry: POST /v1/load_lora_adapter
/// <c>{"lora_name", "lora_path", "load_inplace"}</c> registers the directory (under an adapter root, as LoadAdapter
/// does; any PEFT type, not only LoRA), replacing an adapter of that name only with load_inplace; POST
/// /v1/unload_lora_adapter <c>{"lora_name"}</c> unregisters it. Success answers 200 with vLLM's plain-text message.
/// </summary>
internal sealed class LoraAdminEndpoint(ModelHost host, ILogger<LoraAdminEndpoint> logger)
{
    public const string LoadApi = "POST /v1/load_lora_adapter";
    public const string UnloadApi = "POST /v1/unload_lora_adapter";

    public async Task LoadAsync(HttpContext http)
    {
        var model = host.Require();
        var request = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
        string id = Id(request);
        string path = request.String("lora_path") is { Length: > 0 } p ? p
            : throw ApiErrors.Invalid("'lora_path' is required: an adapter directory under an adapter root", "lora_path");
        bool replace = request.Bool("load_inplace") ?? false;
        var version = await model.Registry.RegisterAsync(id, path, replace, http.RequestAborted);
        ServerLog.AdapterRegistered(logger, id, version.Facts.PeftType, version.ContentHash, version.Directory);
        await Results.Text($"Success: LoRA adapter '{id}' added successfully.").ExecuteAsync(http);
    }

    public async Task UnloadAsync(HttpContext http)
    {
        var model = host.Require();
        string id = Id(await JsonRequest.ReadAsync(http.Request, http.RequestAborted));
        int inFlight = model.Registry.Unregister(id);
        ServerLog.AdapterUnloaded(logger, id, inFlight);
        await Results.Text($"Success: LoRA adapter '{id}' removed successfully.").ExecuteAsync(http);
    }

    private static string Id(JsonRequest request)
    {
        string id = request.RequiredString("lora_name");
        return AdapterIdRules.IsValid(id, out string? problem) ? id : throw ApiErrors.Invalid(problem, "lora_name");
    }
}
