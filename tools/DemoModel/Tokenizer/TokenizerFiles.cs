namespace Peft.Tools.DemoModel.Tokenizer;

/// <summary>The tokenizer's two files in a model directory, written and read together.</summary>
internal static class TokenizerFiles
{
    public static void Save(DirectoryInfo directory, BpeModel model, int modelMaxLength)
    {
        directory.Create();
        using (var stream = File.Create(Path.Combine(directory.FullName, TokenizerJsonWriter.FileName)))
            TokenizerJsonWriter.Write(stream, model);
        using (var stream = File.Create(Path.Combine(directory.FullName, TokenizerConfigWriter.FileName)))
            TokenizerConfigWriter.Write(stream, model, modelMaxLength);
    }

    public static BpeModel Load(DirectoryInfo directory)
    {
        using var stream = File.OpenRead(Path.Combine(directory.FullName, TokenizerJsonWriter.FileName));
        return TokenizerJsonReader.Read(stream);
    }
}
