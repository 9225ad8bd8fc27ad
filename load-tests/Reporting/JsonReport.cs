using System.Text.Json;
using System.Text.Json.Serialization;

namespace Peft.LoadTests.Reporting;

/// <summary>Writes reports as indented snake_case JSON; NaN and infinities as strings (JSON has no number for them).</summary>
internal static class JsonReport
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static string Serialize<T>(T report) => JsonSerializer.Serialize(report, Options);

    public static void Write<T>(string path, T report)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, Serialize(report) + "\n");
    }
}
