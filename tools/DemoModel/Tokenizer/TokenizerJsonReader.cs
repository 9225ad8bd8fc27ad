using System.Text.Json;

namespace Peft.Tools.DemoModel.Tokenizer;

/// <summary>
/// Reads a byte-level BPE <c>tokenizer.json</c> back into a <see cref="BpeModel"/> (the pretraining step tokenizes its
/// corpus with it). Refuses any setting that would make our encoder disagree with Hugging Face's, rather than ignore it.
/// </summary>
internal static class TokenizerJsonReader
{
    public static BpeModel Read(Stream source)
    {
        using var document = JsonDocument.Parse(source);
        var root = document.RootElement;
        Expect(root, "version", "1.0");
        if (root.GetProperty("normalizer").ValueKind != JsonValueKind.Null) throw Unsupported("a normalizer");
        var preTokenizer = root.GetProperty("pre_tokenizer");
        Expect(preTokenizer, "type", "ByteLevel");
        if (preTokenizer.GetProperty("add_prefix_space").GetBoolean()) throw Unsupported("add_prefix_space: true");
        if (!preTokenizer.GetProperty("use_regex").GetBoolean()) throw Unsupported("use_regex: false");

        var model = root.GetProperty("model");
        Expect(model, "type", "BPE");
        foreach (string nullField in new[] { "dropout", "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (model.TryGetProperty(nullField, out var value) && value.ValueKind != JsonValueKind.Null) throw Unsupported($"model.{nullField}");
        }
        if (model.TryGetProperty("byte_fallback", out var byteFallback) && byteFallback.GetBoolean()) throw Unsupported("byte_fallback: true");
        if (model.TryGetProperty("ignore_merges", out var ignoreMerges) && ignoreMerges.GetBoolean()) throw Unsupported("ignore_merges: true");

        var byId = new SortedDictionary<int, string>();
        foreach (var entry in model.GetProperty("vocab").EnumerateObject())
        {
            if (!byId.TryAdd(entry.Value.GetInt32(), entry.Name))
                throw new InvalidDataException($"tokenizer.json gives id {entry.Value.GetInt32()} to two tokens.");
        }
        var specials = new List<SpecialToken>();
        foreach (var added in root.GetProperty("added_tokens").EnumerateArray())
        {
            var special = new SpecialToken(added.GetProperty("id").GetInt32(), added.GetProperty("content").GetString()!);
            if (!byId.TryGetValue(special.Id, out string? existing)) byId.Add(special.Id, special.Content);
            else if (existing != special.Content)
                throw new InvalidDataException($"Added token '{special.Content}' has id {special.Id}, which the vocab gives to '{existing}'.");
            specials.Add(special);
        }
        if (byId.Count > 0 && byId.Keys.Last() != byId.Count - 1)
            throw new InvalidDataException("tokenizer.json's ids are not contiguous from 0.");

        var merges = model.GetProperty("merges").EnumerateArray().Select(ReadMerge).ToList();
        return new BpeModel([.. byId.Values], specials, merges);
    }

    /// <summary>Merges are "left right" strings in files before tokenizers 0.20 and ["left", "right"] arrays after.</summary>
    private static (string, string) ReadMerge(JsonElement merge)
    {
        if (merge.ValueKind == JsonValueKind.Array) return (merge[0].GetString()!, merge[1].GetString()!);
        string text = merge.GetString()!;
        int space = text.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || space != text.LastIndexOf(' ')) throw new InvalidDataException($"Merge '{text}' is not two tokens separated by one space.");
        return (text[..space], text[(space + 1)..]);
    }

    private static void Expect(JsonElement element, string property, string expected)
    {
        string? actual = element.GetProperty(property).GetString();
        if (actual != expected) throw new InvalidDataException($"tokenizer.json has {property} '{actual}'; this reader handles '{expected}'.");
    }

    private static InvalidDataException Unsupported(string what) =>
        new($"tokenizer.json uses {what}, which this byte-level BPE reader does not implement.");
}
