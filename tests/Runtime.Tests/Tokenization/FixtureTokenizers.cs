using System.Collections.Concurrent;
using Peft.Runtime.Tests.Tokenization.Fixtures;
using Peft.Runtime.Tokenization;

namespace Peft.Runtime.Tests.Tokenization;

/// <summary>The fixture tokenizers, each loaded once per test run (ModelTokenizer is immutable).</summary>
internal static class FixtureTokenizers
{
    private static readonly ConcurrentDictionary<string, ModelTokenizer> Loaded = new();

    public static ModelTokenizer Get(string name) => Loaded.GetOrAdd(name, n => ModelTokenizer.Load(FixturePaths.Of(n)));
}
