using System.Text.Json;
using Peft.Server.Errors;

namespace Peft.Server.OpenAi;

/// <summary>OpenAI's error shape: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
internal static class ErrorBody
{
    public static void Write(Utf8JsonWriter json, string message, string type, string? param, string code)
    {
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteString("message", message);
        json.WriteString("type", type);
        if (param is null) json.WriteNull("param");
        else json.WriteString("param", param);
        json.WriteString("code", code);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter json, ApiException error)
    {
        var (_, type, code) = HttpErrorMapping.Of(error.Kind);
        Write(json, error.Message, type, error.Param, CodeOf(error, code));
    }

    /// <summary>OpenAI's code for an unknown model, which clients and gateways look for.</summary>
    public static string CodeOf(ApiException error, string code) =>
        error is { Kind: ApiErrorKind.NotFound, Param: "model" } ? "model_not_found" : code;
}
