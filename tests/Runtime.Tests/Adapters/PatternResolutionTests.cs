using System.Text.Json;
using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.Targeting;
using Peft.Runtime.Json;

namespace Peft.Runtime.Tests.Adapters;

/// <summary>
/// rank_pattern / alpha_pattern resolution where PEFT's versions disagree. PEFT 0.13 took the first key, among the
/// rank keys and then the alpha keys, with re.match(".*\.{key}$") and read both values by that one key; 0.14 and
/// later look each up separately, 0.15 with re.match("(.*\.)?({key})$"). We follow the newer rule; each row gives
/// what it yields and, in the comment, what 0.13 gave.
/// </summary>
public sealed class PatternResolutionTests
{
    private const string Q0 = "model.layers.0.self_attn.q_proj";

    [Theory]
    // Different keys match for rank and alpha: newer rank 2, alpha 3 (0.13: key "q_proj" for both, alpha stays 8).
    [InlineData("""{"q_proj": 2}""", """{"model.layers.0.self_attn.q_proj": 3}""", Q0, 2, 3)]
    // Only an alpha key matches: newer rank 4 (default), alpha 16 (0.13 the same).
    [InlineData("""{}""", """{"layers.0.self_attn.q_proj": 16}""", Q0, 4, 16)]
    // A key that is the whole name: matches with the newer (.*\.)? prefix (0.13 needed a "." before it and fell back to
    // an exact lookup, which also found it).
    [InlineData("""{"model.layers.0.self_attn.q_proj": 6}""", """{}""", Q0, 6, 8)]
    // Keys are regexes, first match in file order wins: "q_proj|k_proj" before "q_proj".
    [InlineData("""{"q_proj|k_proj": 5, "q_proj": 7}""", """{}""", Q0, 5, 8)]
    // A suffix that only partly matches a name segment does not match ("_proj" vs "q_proj": needs "(.*\.)?" before it).
    [InlineData("""{"_proj": 9}""", """{}""", Q0, 4, 8)]
    public void Rank_and_alpha_resolve_separately_by_the_newer_rule(string ranks, string alphas, string module, int rank, double alpha)
    {
        Assert.Equal(rank, (int)Map(ranks).Resolve(module, 4));
        Assert.Equal(alpha, Map(alphas).Resolve(module, 8));
    }

    private static PatternMap Map(string json)
    {
        using var doc = JsonDocument.Parse($$"""{"p": {{json}}}""");
        return PatternMap.Read(new JsonFields(doc.RootElement.Clone(), "test", m => new AdapterLoadException(m)), "p");
    }
}
