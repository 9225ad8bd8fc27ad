using System.Text.Json.Nodes;
using Peft.Runtime.Tests.Tokenization.Fixtures;

namespace Peft.Runtime.Tests.Tokenization;

/// <summary>
/// A tokenizer.json in the shape Hugging Face converts Llama 2's tokenizer.model to (Prepend/Replace normalizer,
/// byte_fallback, Replace/ByteFallback/Fuse/Strip decoder), over the SentencePiece fixture's pieces.
/// </summary>
internal static class SentencePieceStyleJson
{
    public static string Text(IEnumerable<(int Id, string Content)> extraAddedTokens)
    {
        var vocab = new JsonObject { ["<unk>"] = 0, ["<s>"] = 1, ["</s>"] = 2 };
        for (int b = 0; b < 256; b++)
            vocab[$"<0x{b:X2}>"] = 3 + b;
        string[] pieces = [.. SentencePieceFixture.MergedPieces, .. SentencePieceFixture.Characters];
        for (int i = 0; i < pieces.Length; i++)
            vocab[pieces[i]] = 259 + i;
        var added = new JsonArray(
            FixtureJson.AddedToken("<unk>", special: true, id: 0),
            FixtureJson.AddedToken("<s>", special: true, id: 1),
            FixtureJson.AddedToken("</s>", special: true, id: 2));
        foreach ((int id, string content) in extraAddedTokens)
            added.Add(FixtureJson.AddedToken(content, special: true, id: id));
        JsonObject Replace(string from, string to) =>
            new() { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = from }, ["content"] = to };
        var root = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = added,
            ["normalizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["normalizers"] = new JsonArray(new JsonObject { ["type"] = "Prepend", ["prepend"] = "▁" }, Replace(" ", "▁")),
            },
            ["pre_tokenizer"] = null,
            ["decoder"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["decoders"] = new JsonArray(
                    Replace("▁", " "),
                    new JsonObject { ["type"] = "ByteFallback" },
                    new JsonObject { ["type"] = "Fuse" },
                    new JsonObject { ["type"] = "Strip", ["content"] = " ", ["start"] = 1, ["stop"] = 0 }),
            },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["unk_token"] = "<unk>",
                ["fuse_unk"] = true,
                ["byte_fallback"] = true,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(),
            },
        };
        return root.ToJsonString();
    }
}
