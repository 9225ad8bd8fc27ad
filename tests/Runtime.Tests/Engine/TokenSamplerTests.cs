using Peft.Runtime.Engine.Sampling;

namespace Peft.Runtime.Tests.Engine;

public sealed class TokenSamplerTests
{
    // Probabilities ≈ [0.6, 0.3, 0.05, 0.05]
    private static readonly float[] Peaked = [MathF.Log(0.6f), MathF.Log(0.3f), MathF.Log(0.05f), MathF.Log(0.05f)];

    private static Dictionary<int, int> Draws(SamplingParams p, float[] logits, int n = 4000)
    {
        var sampler = new TokenSampler(p, []);
        var counts = new Dictionary<int, int>();
        for (int i = 0; i < n; i++)
        {
            int t = sampler.Sample(logits).TokenId;
            counts[t] = counts.GetValueOrDefault(t) + 1;
        }
        return counts;
    }

    [Fact]
    public void Greedy_is_argmax_and_takes_the_first_of_ties()
    {
        Assert.Equal(2, new TokenSampler(SamplingParams.Greedy, []).Sample([0f, 1f, 3f, 3f]).TokenId);
    }

    [Theory]
    [InlineData(32000, 0)]
    [InlineData(32000, 1)]
    [InlineData(50257, 2)]
    [InlineData(37, 3)]
    [InlineData(5, 4)]
    public void The_vectorised_argmax_is_the_scans_on_ties_signed_zeros_infinities_and_nans(int vocab, int seed)
    {
        var random = new Random(seed);
        var values = new float[vocab];
        for (int i = 0; i < vocab; i++) values[i] = (float)(random.NextDouble() * 20 - 10);

        static int Scan(float[] v)
        {
            int best = 0;
            for (int i = 1; i < v.Length; i++)
                if (v[i] > v[best]) best = i;
            return best;
        }

        Assert.Equal(Scan(values), TokenSampler.ArgMax(values));
        int late = vocab - 1 - random.Next(Math.Min(vocab, 20));
        values[late] = 11f;                       // the maximum in the tail past the last whole vector
        Assert.Equal(Scan(values), TokenSampler.ArgMax(values));
        values[vocab / 2] = 11f;                  // a tie: the lower index
        Assert.Equal(Scan(values), TokenSampler.ArgMax(values));
        Array.Fill(values, -5f);
        values[vocab / 3] = -0f;
        values[vocab / 3 + 1] = 0f;               // signed zeros compare equal: the first
        Assert.Equal(Scan(values), TokenSampler.ArgMax(values));
        values[vocab - 1] = float.PositiveInfinity;
        Assert.Equal(Scan(values), TokenSampler.ArgMax(values));
        values[vocab / 4] = float.NaN;            // a NaN is never larger
        Assert.Equal(Scan(values), TokenSampler.ArgMax(values));
        values[0] = float.NaN;                    // ... and a NaN first is never replaced
        Assert.Equal(Scan(values), TokenSampler.ArgMax(values));
    }

    [Fact]
    public void Greedy_with_a_penalty_still_applies_it()
    {
        var p = SamplingParams.Greedy with { RepetitionPenalty = 4f };
        var sampler = new TokenSampler(p, [2]);
        Assert.Equal(1, sampler.Sample([0f, 1f, 3f]).TokenId);   // 3 / 4 < 1
    }

    [Fact]
    public void Temperature_one_samples_the_softmax()
    {
        var counts = Draws(new SamplingParams { Temperature = 1f, Seed = 1 }, Peaked, 20000);
        Assert.InRange(counts[0] / 20000.0, 0.58, 0.62);
        Assert.InRange(counts[1] / 20000.0, 0.28, 0.32);
    }

    [Fact]
    public void Low_temperature_sharpens()
    {
        var counts = Draws(new SamplingParams { Temperature = 0.25f, Seed = 1 }, Peaked);
        Assert.True(counts[0] > 0.9 * 4000);
    }

    [Fact]
    public void Top_k_keeps_only_the_k_most_likely()
    {
        Assert.Equal([0, 1], Draws(new SamplingParams { Temperature = 1f, TopK = 2, Seed = 2 }, Peaked).Keys.Order());
        Assert.Equal([0], Draws(new SamplingParams { Temperature = 5f, TopK = 1, Seed = 2 }, Peaked).Keys);
    }

    [Fact]
    public void Top_p_keeps_the_smallest_set_reaching_p()
    {
        Assert.Equal([0], Draws(new SamplingParams { Temperature = 1f, TopP = 0.5f, Seed = 3 }, Peaked).Keys);
        Assert.Equal([0, 1], Draws(new SamplingParams { Temperature = 1f, TopP = 0.85f, Seed = 3 }, Peaked).Keys.Order());
    }

    [Fact]
    public void Top_p_is_relative_to_what_top_k_left()
    {
        // After top-k 2 the masses are 2/3 and 1/3: top-p 0.7 needs both.
        Assert.Equal([0, 1], Draws(new SamplingParams { Temperature = 1f, TopK = 2, TopP = 0.7f, Seed = 3 }, Peaked).Keys.Order());
    }

    [Fact]
    public void Min_p_drops_tokens_far_below_the_top()
    {
        Assert.Equal([0, 1], Draws(new SamplingParams { Temperature = 1f, MinP = 0.4f, Seed = 4 }, Peaked).Keys.Order());
        Assert.Equal([0], Draws(new SamplingParams { Temperature = 1f, MinP = 0.6f, Seed = 4 }, Peaked).Keys);
    }

    [Fact]
    public void The_same_seed_gives_the_same_draws_and_another_seed_others()
    {
        float[] flat = new float[64];
        var a = new TokenSampler(new SamplingParams { Temperature = 1f, Seed = 42 }, []);
        var b = new TokenSampler(new SamplingParams { Temperature = 1f, Seed = 42 }, []);
        var c = new TokenSampler(new SamplingParams { Temperature = 1f, Seed = 43 }, []);
        var da = Enumerable.Range(0, 50).Select(_ => a.Sample(flat).TokenId).ToArray();
        var db = Enumerable.Range(0, 50).Select(_ => b.Sample(flat).TokenId).ToArray();
        var dc = Enumerable.Range(0, 50).Select(_ => c.Sample(flat).TokenId).ToArray();
        Assert.Equal(da, db);
        Assert.NotEqual(da, dc);
    }

    [Fact]
    public void Repetition_penalty_divides_positive_and_multiplies_negative_logits_of_seen_tokens()
    {
        var p = new SamplingParams { RepetitionPenalty = 1.2f };
        Assert.Equal(1, new TokenSampler(p, [0]).Sample([2.0f, 1.9f]).TokenId);        // 2.0 / 1.2 < 1.9
        Assert.Equal(0, new TokenSampler(p, [1]).Sample([-1.0f, -0.9f]).TokenId);      // -0.9 * 1.2 < -1.0
        var sampler = new TokenSampler(p, []);
        sampler.Accept(0);                                                              // output tokens count too
        Assert.Equal(1, sampler.Sample([2.0f, 1.9f]).TokenId);
    }

    [Fact]
    public void Presence_and_frequency_penalties_count_output_tokens()
    {
        var presence = new TokenSampler(new SamplingParams { PresencePenalty = 0.5f }, [0]);
        Assert.Equal(0, presence.Sample([2.0f, 1.7f]).TokenId);   // prompt tokens are not penalised
        presence.Accept(0);
        Assert.Equal(1, presence.Sample([2.0f, 1.7f]).TokenId);   // 2.0 - 0.5 < 1.7

        var frequency = new TokenSampler(new SamplingParams { FrequencyPenalty = 0.2f }, []);
        frequency.Accept(0);
        Assert.Equal(0, frequency.Sample([2.0f, 1.7f]).TokenId);   // 2.0 - 0.2 = 1.8 > 1.7
        frequency.Accept(0);
        Assert.Equal(1, frequency.Sample([2.0f, 1.7f]).TokenId);   // 2.0 - 0.4 = 1.6 < 1.7
    }

    [Fact]
    public void Logprobs_are_the_raw_log_softmax_with_the_top_alternatives_in_order()
    {
        var choice = new TokenSampler(new SamplingParams { TopLogprobs = 3 }, []).Sample(Peaked);
        Assert.Equal(0, choice.TokenId);
        Assert.Equal(MathF.Log(0.6f), choice.Logprob, 4);
        Assert.Equal(3, choice.Top!.Count);
        Assert.Equal([0, 1], choice.Top!.Select(t => t.TokenId).Take(2));
        Assert.Contains(choice.Top![2].TokenId, new[] { 2, 3 });
        Assert.Equal(MathF.Log(0.3f), choice.Top![1].Logprob, 4);
        Assert.True(choice.Top!.Zip(choice.Top!.Skip(1)).All(p => p.First.Logprob >= p.Second.Logprob));
    }

    [Theory]
    [InlineData("temperature", nameof(SamplingParams.Temperature), -1f)]
    [InlineData("top_p", nameof(SamplingParams.TopP), 0f)]
    [InlineData("top_p", nameof(SamplingParams.TopP), 1.5f)]
    [InlineData("min_p", nameof(SamplingParams.MinP), 2f)]
    [InlineData("repetition_penalty", nameof(SamplingParams.RepetitionPenalty), 0f)]
    [InlineData("presence_penalty", nameof(SamplingParams.PresencePenalty), 3f)]
    [InlineData("frequency_penalty", nameof(SamplingParams.FrequencyPenalty), -3f)]
    public void Out_of_range_values_are_rejected_by_name(string field, string property, float value)
    {
        var p = property switch
        {
            nameof(SamplingParams.Temperature) => new SamplingParams { Temperature = value },
            nameof(SamplingParams.TopP) => new SamplingParams { TopP = value },
            nameof(SamplingParams.MinP) => new SamplingParams { MinP = value },
            nameof(SamplingParams.RepetitionPenalty) => new SamplingParams { RepetitionPenalty = value },
            nameof(SamplingParams.PresencePenalty) => new SamplingParams { PresencePenalty = value },
            _ => new SamplingParams { FrequencyPenalty = value },
        };
        Assert.StartsWith(field, p.Validate(100));
    }

    [Fact]
    public void Other_invalid_values_are_rejected_by_name()
    {
        Assert.StartsWith("top_k", new SamplingParams { TopK = -1 }.Validate(100));
        Assert.StartsWith("stop_token_ids contains 100", new SamplingParams { StopTokenIds = [100] }.Validate(100));
        Assert.StartsWith("stop has 17", new SamplingParams { StopStrings = Enumerable.Repeat("x", 17).ToArray() }.Validate(100));
        Assert.StartsWith("stop strings must not be empty", new SamplingParams { StopStrings = [""] }.Validate(100));
        Assert.StartsWith("top_logprobs", new SamplingParams { TopLogprobs = 21 }.Validate(100));
        Assert.Null(new SamplingParams { Temperature = 0.7f, TopK = 40, TopP = 0.9f, MinP = 0.05f, Seed = 1 }.Validate(100));
    }
}
