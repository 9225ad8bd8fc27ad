using Peft.Tools.DemoModel.Tokenizer;

namespace Peft.Tools.Tests.Tokenizer;

public class BpeTrainerTests
{
    private static string Merge(BpeModel model, BpeMerge merge) => $"{model.Tokens[merge.Left]} {model.Tokens[merge.Right]}";

    /// <summary>
    /// The worked example of the Hugging Face course's BPE chapter: hug 10, pug 5, pun 12, bun 4, hugs 5.
    /// Pair counts: ug 20, un 16, pu 17... By hand: "u g" (20); then "u n" (16, pu fell to 12); "h ug" (15);
    /// "p un" (12); then "p ug" and "hug s" tie at 5 and "p ug" wins (p has a smaller id than hug); "hug s";
    /// "b un" (4). Every word is then one token, so training stops with 7 merges.
    /// </summary>
    [Fact]
    public void Hand_checked_training_gives_the_expected_merges_in_order()
    {
        var counts = new Dictionary<string, long> { ["hug"] = 10, ["pug"] = 5, ["pun"] = 12, ["bun"] = 4, ["hugs"] = 5 };
        var model = BpeTrainer.Train(counts, new BpeTrainerOptions { MinFrequency = 1 });
        Assert.Equal(["u g", "u n", "h ug", "p un", "p ug", "hug s", "b un"], model.Merges.Select(m => Merge(model, m)));
        Assert.Equal(3 + 256 + 7, model.VocabSize);
        Assert.Equal("ug", model.Tokens[259]);
        Assert.Equal(["hugs"], model.Encode("hugs").Select(id => model.Tokens[id]));
        Assert.Equal(["b", "ug", "s"], model.Encode("bugs").Select(id => model.Tokens[id]));
        Assert.Equal(["pun", "pug", "h", "un"], model.Encode("punpughun").Select(id => model.Tokens[id]));
    }

    [Fact]
    public void Overlapping_pairs_count_and_merge_left_to_right()
    {
        // "aaa": the pair (a, a) occurs twice; merged left to right it becomes "aa a".
        var model = BpeTrainer.Train(new Dictionary<string, long> { ["aaa"] = 3 }, new BpeTrainerOptions { MinFrequency = 1 });
        Assert.Equal(["a a", "aa a"], model.Merges.Select(m => Merge(model, m)));
    }

    [Fact]
    public void Min_frequency_and_vocab_size_stop_training()
    {
        var counts = new Dictionary<string, long> { ["hug"] = 10, ["pug"] = 5, ["pun"] = 12, ["bun"] = 4, ["hugs"] = 5 };
        Assert.Equal(6, BpeTrainer.Train(counts, new BpeTrainerOptions { MinFrequency = 5 }).Merges.Count);
        Assert.Equal(2, BpeTrainer.Train(counts, new BpeTrainerOptions { VocabSize = 3 + 256 + 2, MinFrequency = 1 }).Merges.Count);
    }

    [Fact]
    public void Specials_come_first_then_all_256_bytes_in_code_point_order()
    {
        var model = DemoTokenizer.Model;
        Assert.Equal(["<s>", "</s>", "<pad>"], model.Tokens.Take(3));
        Assert.Equal(0, model.BosId);
        Assert.Equal(1, model.EosId);
        Assert.Equal(2, model.SpecialId("<pad>"));
        Assert.Equal(ByteLevelAlphabet.SymbolsInCodePointOrder.Select(c => c.ToString()), model.Tokens.Skip(3).Take(256));
    }

    [Fact]
    public void Every_merge_joins_two_earlier_tokens_into_the_next_new_token()
    {
        var model = DemoTokenizer.Model;
        int firstMergeId = 3 + 256;
        Assert.Equal(model.VocabSize - firstMergeId, model.Merges.Count);
        for (int rank = 0; rank < model.Merges.Count; rank++)
        {
            var merge = model.Merges[rank];
            Assert.Equal(firstMergeId + rank, merge.Result);
            Assert.True(merge.Left < merge.Result && merge.Right < merge.Result);
            Assert.False(model.IsSpecial(merge.Left) || model.IsSpecial(merge.Right));
            Assert.Equal(model.Tokens[merge.Left] + model.Tokens[merge.Right], model.Tokens[merge.Result]);
        }
        Assert.Equal(model.VocabSize, model.Tokens.Distinct().Count());
    }

    [Fact]
    public void On_the_story_corpus_the_first_merges_are_the_commonest_pairs()
    {
        var first = DemoTokenizer.Model.Merges.Take(3).Select(m => Merge(DemoTokenizer.Model, m)).ToList();
        Assert.Contains("Ġ t", first);
        Assert.Contains("h e", first);
    }

    [Fact]
    public void Training_is_deterministic()
    {
        var counts = PreTokenCounts.Of(DemoTokenizer.GeneratedText(21, 200_000)).Counts;
        var a = BpeTrainer.Train(counts, new BpeTrainerOptions { VocabSize = 600 });
        var b = BpeTrainer.Train(counts.Reverse().ToDictionary(), new BpeTrainerOptions { VocabSize = 600 });
        Assert.Equal(a.Tokens, b.Tokens);
    }

    [Fact]
    public void Bad_options_are_refused()
    {
        var counts = new Dictionary<string, long> { ["a"] = 1 };
        Assert.Throws<ArgumentException>(() => BpeTrainer.Train(counts, new BpeTrainerOptions { VocabSize = 100 }));
        Assert.Throws<ArgumentException>(() => BpeTrainer.Train(counts, new BpeTrainerOptions { SpecialTokens = [new(5, "<s>")] }));
    }
}
