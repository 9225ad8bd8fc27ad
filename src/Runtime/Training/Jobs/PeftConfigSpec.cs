using System.Text.Json;
using System.Text.Json.Serialization;
using Peft.Runtime.Adapters;
using Peft.Runtime.Json;
using Peft.Runtime.Models;
using Peft.Runtime.Training.Methods;

namespace Peft.Runtime.Training.Jobs;

/// <summary>
/// Any method the server trains, given as PEFT's own config (the fields its adapter_config.json holds: peft_type,
/// r, target_modules, use_dora, feedforward_modules, ...). The method registered for that config validates it and
/// builds the trainable form, so a method becomes trainable through the API without a new kind of spec.
/// </summary>
public sealed record PeftConfigSpec(string Config) : MethodSpec
{
    public const string Field = "peft_config";

    [JsonIgnore]
    public override string PeftType => Fields() is { } f ? f.OptionalString("peft_type") ?? "" : "";

    [JsonIgnore]
    public override int VirtualTokens => Fields() is { } f && f.Raw("num_virtual_tokens") is { ValueKind: JsonValueKind.Number } n && n.TryGetInt32(out int v) ? v : 0;

    public override string? Problem(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            Factory(context);
            return null;
        }
        catch (AdapterLoadException e)
        {
            return e.Message;
        }
    }

    public override TrainableAdapter Create(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Factory(context)(context.Model);
    }

    private Func<CausalLM, TrainableAdapter> Factory(TrainingContext context)
    {
        var fields = Fields() ?? throw new AdapterLoadException(ParseProblem());
        string peftType = fields.OptionalString("peft_type") ?? throw new AdapterLoadException($"{Field}: peft_type is missing");
        var method = AdapterMethods.Find(peftType, fields)
            ?? throw new AdapterLoadException($"{Field}: peft_type '{peftType}' is not supported (supported: {string.Join(", ", AdapterMethods.Supported)})");
        return method.Trainable(fields, context.BaseModel)
            ?? throw new AdapterLoadException($"{Field}: this server serves {peftType} adapters but does not train them");
    }

    // Python's json.dumps writes NaN and Infinity as bare words, which JSON (and so this parser) refuses: the
    // message names where.
    private string ParseProblem()
    {
        try
        {
            using var doc = JsonDocument.Parse(Config);
            return $"{Field}: not a JSON object";
        }
        catch (JsonException e)
        {
            return $"{Field}: not valid JSON ({e.Message})";
        }
    }

    private JsonFields? Fields()
    {
        try
        {
            using var doc = JsonDocument.Parse(Config);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                ? new JsonFields(doc.RootElement.Clone(), Field, message => new AdapterLoadException(message))
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
