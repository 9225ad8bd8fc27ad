using System.Text.Encodings.Web;
using System.Text.Json;

namespace Peft.Server.OpenAi;

/// <summary>How responses are written: generated text and messages as they are ('like this', not \u0027), since the
/// JSON goes to API clients, never into an HTML page.</summary>
internal static class JsonOutput
{
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
