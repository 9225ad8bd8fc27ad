namespace Peft.Runtime.Tests.Tokenization.Fixtures;

/// <summary>
/// The checked-in files under tests/fixtures/tokenizers are exactly what the generators in this folder make.
/// To regenerate them after changing a generator: <c>PEFT_REGENERATE_TOKENIZER_FIXTURES=1 dotnet test
/// tests/Runtime.Tests --filter FullyQualifiedName~FixtureFilesTests</c>, then commit the files.
/// </summary>
public sealed class FixtureFilesTests
{
    public static TheoryData<string> Names => [FixturePaths.Gpt2, FixturePaths.Llama3, FixturePaths.SentencePiece];

    [Theory]
    [MemberData(nameof(Names))]
    public void Checked_in_fixture_files_are_what_the_generator_makes(string name)
    {
        Dictionary<string, byte[]> files = name switch
        {
            FixturePaths.Gpt2 => Gpt2Fixture.Files(),
            FixturePaths.Llama3 => Llama3Fixture.Files(),
            FixturePaths.SentencePiece => SentencePieceFixture.Files(),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        string directory = FixturePaths.Of(name);
        if (Environment.GetEnvironmentVariable("PEFT_REGENERATE_TOKENIZER_FIXTURES") == "1")
        {
            Directory.CreateDirectory(directory);
            foreach ((string file, byte[] bytes) in files)
                File.WriteAllBytes(Path.Combine(directory, file), bytes);
        }
        Assert.Equal(files.Keys.Order(), Directory.GetFiles(directory).Select(Path.GetFileName).Order());
        foreach ((string file, byte[] bytes) in files)
        {
            byte[] onDisk = File.ReadAllBytes(Path.Combine(directory, file));
            Assert.True(bytes.AsSpan().SequenceEqual(onDisk), $"{name}/{file} differs from its generator; regenerate it");
            Assert.True(onDisk.Length < 200_000, $"{name}/{file} is {onDisk.Length} bytes; fixtures stay under 200 KB");
        }
    }
}
