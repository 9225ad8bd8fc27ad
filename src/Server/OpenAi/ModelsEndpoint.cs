using System.Text.Json;
using Peft.Runtime.Adapters.Registry;
using Peft.Server.Errors;
using Peft.Server.Hosting;

namespace Peft.Server.OpenAi;

/// <summary>
/// GET /v1/models and /v1/models/{id}: the base model first, then every registered adapter, as vLLM lists LoRA modules
/// (<c>parent</c> is the base model), with the adapter's PEFT type, version hash and base model in extra fields.
/// </summary>
internal sealed class ModelsEndpoint(ModelHost host, ServedModels served, TimeProvider time)
{
    public const string Api = "GET /v1/models";
    private const string Owner = "peft";

    // The base model is served from start to stop; OpenAI's "created" is a time, so it is this server's start.
    private readonly long _created = time.GetUtcNow().ToUnixTimeSeconds();

    public async Task ListAsync(HttpContext http)
    {
        var model = host.Require();
        await WriteAsync(http, json =>
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            WriteBase(json, model);
            foreach (var adapter in model.Registry.List().OrderBy(v => v.Id, StringComparer.Ordinal)) WriteAdapter(json, adapter, model);
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    public async Task GetAsync(HttpContext http)
    {
        var model = host.Require();
        string id = Uri.UnescapeDataString(http.Request.RouteValues["id"] as string ?? "");
        string adapter = served.AdapterOf(id, model);
        var version = adapter.Length == 0 ? null : model.Registry.Find(adapter)
            ?? throw ApiErrors.NotFound($"the model '{id}' does not exist", "model");
        await WriteAsync(http, json =>
        {
            if (version is null) WriteBase(json, model);
            else WriteAdapter(json, version, model);
        });
    }

    private void WriteBase(Utf8JsonWriter json, LoadedModel model)
    {
        json.WriteStartObject();
        json.WriteString("id", served.BaseName(model));
        json.WriteString("object", "model");
        json.WriteNumber("created", _created);
        json.WriteString("owned_by", Owner);
        json.WriteString("root", served.BaseName(model));
        json.WriteNull("parent");
        json.WriteNumber("max_model_len", model.Engine.Options.MaxContextTokens > 0
            ? Math.Min(model.Engine.Options.MaxContextTokens, model.Model.Config.MaxPositionEmbeddings)
            : model.Model.Config.MaxPositionEmbeddings);
        json.WriteEndObject();
    }

    private void WriteAdapter(Utf8JsonWriter json, AdapterVersion version, LoadedModel model)
    {
        json.WriteStartObject();
        json.WriteString("id", version.Id);
        json.WriteString("object", "model");
        json.WriteNumber("created", version.RegisteredAt.ToUnixTimeSeconds());
        json.WriteString("owned_by", Owner);
        json.WriteString("root", version.Id);
        json.WriteString("parent", served.BaseName(model));
        json.WriteString("peft_type", version.Facts.PeftType);
        json.WriteString("version", version.ContentHash);
        json.WriteString("base_model", served.BaseName(model));
        if (version.Facts.Rank > 0) json.WriteNumber("rank", version.Facts.Rank);
        if (version.Facts.VirtualTokens > 0) json.WriteNumber("num_virtual_tokens", version.Facts.VirtualTokens);
        if (version.Facts.Tasks > 0) json.WriteNumber("num_tasks", version.Facts.Tasks);
        json.WriteEndObject();
    }

    private static async Task WriteAsync(HttpContext http, Action<Utf8JsonWriter> write)
    {
        http.Response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(http.Response.BodyWriter, JsonOutput.Options)) write(json);
        await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
    }
}
