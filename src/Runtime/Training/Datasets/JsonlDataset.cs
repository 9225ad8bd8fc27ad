using System.Text;
using System.Text.Json;
using Peft.Runtime.Tokenization;

namespace Peft.Runtime.Training.Datasets;

/// <summary>
/// Reads JSONL training data: each line is <c>{"prompt": ..., "completion": ...}</c> (loss on the completion and
/// the closing EOS only) or <c>{"text": ...}</c> (loss on every token). Blank lines are skipped. Every problem is
/// reported with its line number and field.
/// </summary>
public static class JsonlDataset
{
    /// <remarks>Time is linear in the data's size (tokenization is, <see cref="ModelTokenizer.Encode"/>); the caller
    /// bounds the size, and <paramref name="cancellationToken"/> is checked at every line.</remarks>
    public static IReadOnlyList<TrainingExample> Read(Stream jsonl, ModelTokenizer tokenizer, DatasetOptions options, string name = "dataset",
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jsonl);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(options);
        var examples = new List<TrainingExample>();
        using var reader = new StreamReader(jsonl, new UTF8Encoding(false, throwOnInvalidBytes: true));
        int lineNumber = 0;
        long bytes = 0;
        string? line;
        while ((line = ReadLine(reader, name, lineNumber + 1)) is not null)
        {
            lineNumber++;
            cancellationToken.ThrowIfCancellationRequested();
            bytes += Encoding.UTF8.GetByteCount(line) + 1;
            if (bytes > options.MaxBytes) throw new DatasetException($"{name}: larger than the {options.MaxBytes}-byte limit (at line {lineNumber})");
            if (string.IsNullOrWhiteSpace(line)) continue;
            var example = Parse(line, lineNumber, name, tokenizer, cancellationToken);
            if (example.Length > options.MaxSequenceLength)
            {
                if (options.OverLong == OverLongPolicy.Reject)
                    throw new DatasetException($"{name} line {lineNumber}: {example.Length} tokens, over the maximum sequence length {options.MaxSequenceLength}");
                example = new TrainingExample(example.TokenIds[..options.MaxSequenceLength], example.LossMask[..options.MaxSequenceLength]);
            }
            if (example.LossTokens == 0)
                throw new DatasetException($"{name} line {lineNumber}: no token left to learn from{(options.OverLong == OverLongPolicy.Truncate ? " after truncation" : "")}");
            examples.Add(example);
        }
        if (examples.Count == 0) throw new DatasetException($"{name}: no examples (empty, or only blank lines)");
        return examples;
    }

    private static string? ReadLine(StreamReader reader, string name, int lineNumber)
    {
        try
        {
            return reader.ReadLine();
        }
        catch (DecoderFallbackException)
        {
            throw new DatasetException($"{name} line {lineNumber}: not valid UTF-8");
        }
    }

    private static TrainingExample Parse(string line, int lineNumber, string name, ModelTokenizer tokenizer, CancellationToken cancellationToken)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(line);
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new DatasetException($"{name} line {lineNumber}: not valid JSON ({e.Message})");
        }
        if (root.ValueKind != JsonValueKind.Object) throw new DatasetException($"{name} line {lineNumber}: expected a JSON object");

        string? text = Field(root, "text", lineNumber, name);
        string? prompt = Field(root, "prompt", lineNumber, name);
        string? completion = Field(root, "completion", lineNumber, name);
        if (text is not null && (prompt is not null || completion is not null))
            throw new DatasetException($"{name} line {lineNumber}: has both 'text' and 'prompt'/'completion'; use one form");
        int? eos = tokenizer.EosTokenIds.Count > 0 ? tokenizer.EosTokenIds[0] : null;
        if (text is not null)
        {
            if (text.Length == 0) throw new DatasetException($"{name} line {lineNumber}: field 'text' is empty");
            var ids = tokenizer.Encode(text, cancellationToken: cancellationToken).Concat(eos is { } e ? [e] : []).ToArray();
            return new TrainingExample(ids, ids.Select((_, i) => i > 0).ToArray());
        }
        if (prompt is null) throw new DatasetException($"{name} line {lineNumber}: missing field 'prompt' (or use 'text')");
        if (completion is null) throw new DatasetException($"{name} line {lineNumber}: missing field 'completion'");
        if (completion.Length == 0) throw new DatasetException($"{name} line {lineNumber}: field 'completion' is empty");
        var promptIds = tokenizer.Encode(prompt, cancellationToken: cancellationToken);
        var completionIds = tokenizer.Encode(completion, addSpecialTokens: false, cancellationToken).Concat(eos is { } end ? [end] : []).ToArray();
        int[] all = [.. promptIds, .. completionIds];
        return new TrainingExample(all, all.Select((_, i) => i >= promptIds.Count).ToArray());
    }

    private static string? Field(JsonElement root, string field, int lineNumber, string name)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new DatasetException($"{name} line {lineNumber}: field '{field}' must be a string, found {value.ValueKind.ToString().ToLowerInvariant()}");
    }
}
