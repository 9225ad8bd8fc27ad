using System.Collections.Concurrent;

namespace Peft.LoadTests.Chaos;

/// <summary>
/// Each adapter version's solo output for the suite's prompt (greedy, so deterministic): learned from the fixture
/// adapters on a fresh server, and from a trained adapter the first time it serves. Any later output of that version,
/// alone or in a busy batch, before or after a restart, must equal it.
/// </summary>
internal sealed class ExpectedOutputs
{
    public static readonly int[] Prompt = [1, 17, 42, 99, 7, 250, 3];
    public const int NewTokens = 12;

    private readonly ConcurrentDictionary<string, int[]> _byVersion = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _fixtureVersion = new(StringComparer.Ordinal);

    /// <summary>The version a fixture adapter's files hash to.</summary>
    public string VersionOf(string fixture) => _fixtureVersion[fixture];

    public bool Knows(string version) => _byVersion.ContainsKey(version);

    /// <summary>True when <paramref name="tokens"/> is the version's solo output (learned if the version is new).</summary>
    public bool Check(string version, IReadOnlyList<int> tokens) => _byVersion.GetOrAdd(version, _ => [.. tokens]).AsSpan().SequenceEqual([.. tokens]);

    public IReadOnlyList<int>? Of(string version) => _byVersion.TryGetValue(version, out var t) ? t : null;

    /// <summary>Loads every fixture adapter under a temporary id, records its version and solo output, unloads it.</summary>
    public async Task LearnAsync(ChaosClient client)
    {
        var baseOutput = await client.GenerateAsync("", Prompt, NewTokens);
        if (!baseOutput.Ok) throw new ChaosException($"the base model did not generate: {baseOutput.Status} {baseOutput.Detail}");
        _byVersion[""] = [.. baseOutput.Tokens];
        foreach (string name in ChaosEnvironment.AdapterNames)
        {
            string id = $"learn-{name.Replace('_', '-')}";
            var loaded = await client.LoadAsync(id, ChaosEnvironment.Adapter(name));
            if (!loaded.Ok) throw new ChaosException($"fixture adapter {name} did not load: {loaded}");
            var solo = await client.GenerateAsync(id, Prompt, NewTokens);
            if (!solo.Ok) throw new ChaosException($"fixture adapter {name} did not generate: {solo.Status} {solo.Detail}");
            _fixtureVersion[name] = loaded.Value!.Version;
            _byVersion[loaded.Value.Version] = [.. solo.Tokens];
            await client.UnloadAsync(id);
        }
    }
}
