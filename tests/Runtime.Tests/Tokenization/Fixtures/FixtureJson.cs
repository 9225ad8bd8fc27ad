using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Peft.Runtime.Tokenization;

namespace Peft.Runtime.Tests.Tokenization.Fixtures;

/// <summary>Writes fixture JSON the way Hugging Face files look: indented, non-ASCII (Ġ, ▁, 中) written as is.</summary>
internal static class FixtureJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString(Options) + "\n");

    /// <summary>An added-token object as tokenizer.json's added_tokens and added_tokens_decoder write it.</summary>
    public static JsonObject AddedToken(string content, bool special, int? id = null)
    {
        var token = new JsonObject();
        if (id is { } value)
            token["id"] = value;
        token["content"] = content;
        token["single_word"] = false;
        token["lstrip"] = false;
        token["rstrip"] = false;
        token["normalized"] = !special;
        token["special"] = special;
        return token;
    }

    public static JsonObject AddedTokensDecoder(IEnumerable<(int Id, string Content, bool Special)> tokens)
    {
        var decoder = new JsonObject();
        foreach ((int id, string content, bool special) in tokens)
            decoder[id.ToString(System.Globalization.CultureInfo.InvariantCulture)] = AddedToken(content, special);
        return decoder;
    }

    /// <summary>GPT-2's 256 byte symbols in its vocabulary order: ids 0..255.</summary>
    public static IReadOnlyList<char> Gpt2ByteSymbols()
    {
        IEnumerable<int> bytes = Enumerable.Range(0, 256);
        return [.. bytes.Where(ByteLevelAlphabet.StandsForItself)
            .Concat(bytes.Where(b => !ByteLevelAlphabet.StandsForItself(b)))
            .Select(b => ByteLevelAlphabet.CharOf((byte)b))];
    }
}
