using Peft.Runtime.Engine;
using Peft.Runtime.Engine.Output;
using Peft.Runtime.Engine.Sampling;

namespace Peft.Runtime.Tests.Engine;

/// <summary>Stop conditions, with a tokenizer whose tokens are fixed strings so boundaries are chosen by the test.</summary>
public sealed class OutputProcessorTests
{
    private static readonly string[] Pieces = ["Hel", "lo", " wor", "ld", "ST", "OP", "AR", "!", "<eos>", "S", "TOP"];
    private static readonly HashSet<int> Eos = [8];

    private static OutputProcessor Processor(SamplingParams p, int maxNew = 100, int maxStream = 1000) =>
        new(p, Eos, new PieceDecoder(), maxNew, maxStream);

    private static (string Text, FinishReason? Finish) Run(OutputProcessor processor, params int[] tokens)
    {
        var text = "";
        FinishReason? finish = null;
        for (int i = 0; i < tokens.Length && finish is null; i++)
        {
            var (delta, f) = processor.Accept(tokens[i], i + 1, i + 1);
            text += delta;
            finish = f;
        }
        return (text, finish);
    }

    [Fact]
    public void A_stop_string_split_across_tokens_ends_the_output_before_it()
    {
        var p = Processor(new SamplingParams { StopStrings = ["STOP"] });
        Assert.Equal(("Hello", FinishReason.StopString), Run(p, 0, 1, 4, 5, 2));
    }

    [Fact]
    public void Text_that_might_start_a_stop_string_is_held_back_then_released()
    {
        var p = Processor(new SamplingParams { StopStrings = ["STOP"] });
        Assert.Equal(("Hello", null), p.Accept(0, 1, 1) is var a && p.Accept(1, 2, 2) is var b ? (a.Text + b.Text, b.Finish) : default);
        Assert.Equal(("", null), p.Accept(4, 3, 3));            // "ST" could begin "STOP"
        Assert.Equal(("STAR", null), p.Accept(6, 4, 4));        // "STAR" cannot
    }

    [Fact]
    public void A_stop_string_spanning_three_tokens_is_found()
    {
        // "ld" | "S" | "TOP"
        var p = Processor(new SamplingParams { StopStrings = ["dSTOP"] });
        Assert.Equal(("Hello worl", FinishReason.StopString), Run(p, 0, 1, 2, 3, 9, 10));
    }

    [Fact]
    public void The_earliest_of_several_stop_strings_wins()
    {
        var p = Processor(new SamplingParams { StopStrings = ["ld", "wor"] });
        Assert.Equal(("Hello ", FinishReason.StopString), Run(p, 0, 1, 2, 3));
    }

    [Fact]
    public void Eos_finishes_unless_ignored()
    {
        Assert.Equal(("Hello", FinishReason.Eos), Run(Processor(SamplingParams.Greedy), 0, 1, 8, 2));
        Assert.Equal(("Hello wor", null), Run(Processor(new SamplingParams { IgnoreEos = true }), 0, 1, 8, 2));
    }

    [Fact]
    public void A_stop_token_finishes_and_is_returned()
    {
        Assert.Equal(("Hello!", FinishReason.StopToken), Run(Processor(new SamplingParams { StopTokenIds = [7] }), 0, 1, 7, 2));
    }

    [Fact]
    public void Max_new_tokens_finishes_with_length_and_flushes_held_text()
    {
        var p = Processor(new SamplingParams { StopStrings = ["STOP"] }, maxNew: 3);
        Assert.Equal(("HelloST", FinishReason.Length), Run(p, 0, 1, 4, 5));
    }

    [Fact]
    public void The_context_limit_finishes_with_length()
    {
        var p = Processor(SamplingParams.Greedy, maxStream: 2);
        Assert.Equal(("Hello", FinishReason.Length), Run(p, 0, 1, 2));
    }

    private sealed class PieceDecoder : ITextDecoder, IIncrementalDecoder
    {
        public IIncrementalDecoder Create() => this;

        public string TokenText(int tokenId) => Pieces[tokenId];

        public string Push(int tokenId) => tokenId == 8 ? "" : Pieces[tokenId];

        public string Flush() => "";
    }
}
