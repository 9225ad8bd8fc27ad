using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Peft.Tools.DemoModel.Tasks;

/// <summary>
/// The task's files: <c>train.jsonl</c> and <c>heldout.jsonl</c>, one <c>{"prompt": ..., "completion": ...}</c> object
/// per line, UTF-8, "\n" line ends: the format the server's training API and most fine-tuning tools take.
/// </summary>
internal static class TaskFiles
{
    public const string TrainFileName = "train.jsonl";
    public const string HeldoutFileName = "heldout.jsonl";

    // Relaxed escaping keeps "=>" and quotes readable ("\"" rather than "\u0022") in a file people will read.
    private static readonly JsonWriterOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Save(DirectoryInfo directory, TaskSplits splits)
    {
        directory.Create();
        Write(Path.Combine(directory.FullName, TrainFileName), splits.Train);
        Write(Path.Combine(directory.FullName, HeldoutFileName), splits.Heldout);
    }

    public static TaskSplits Load(DirectoryInfo directory) =>
        new(Read(Path.Combine(directory.FullName, TrainFileName)), Read(Path.Combine(directory.FullName, HeldoutFileName)));

    public static void Write(string path, IEnumerable<TaskExample> examples)
    {
        using var stream = File.Create(path);
        foreach (var example in examples)
        {
            using (var json = new Utf8JsonWriter(stream, LineOptions))
            {
                json.WriteStartObject();
                json.WriteString("prompt", example.Prompt);
                json.WriteString("completion", example.Completion);
                json.WriteEndObject();
            }
            stream.WriteByte((byte)'\n');
        }
    }

    public static List<TaskExample> Read(string path)
    {
        var examples = new List<TaskExample>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            string? prompt = root.TryGetProperty("prompt", out var p) ? p.GetString() : null;
            string? completion = root.TryGetProperty("completion", out var c) ? c.GetString() : null;
            if (prompt is null || completion is null)
                throw new InvalidDataException($"{path}:{lineNumber}: expected string fields \"prompt\" and \"completion\".");
            examples.Add(new TaskExample(prompt, completion));
        }
        return examples;
    }
}
