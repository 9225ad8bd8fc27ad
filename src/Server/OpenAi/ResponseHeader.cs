using System.Security.Cryptography;
using System.Text.Json;

namespace Peft.Server.OpenAi;

/// <summary>The fields every response and chunk of one request repeats: id, object, created, model.</summary>
internal sealed record ResponseHeader(string Id, long Created, string Model)
{
    public static ResponseHeader New(string prefix, string model, TimeProvider time) =>
        new($"{prefix}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}", time.GetUtcNow().ToUnixTimeSeconds(), model);

    public void Write(Utf8JsonWriter json, string objectType)
    {
        json.WriteString("id", Id);
        json.WriteString("object", objectType);
        json.WriteNumber("created", Created);
        json.WriteString("model", Model);
    }
}
