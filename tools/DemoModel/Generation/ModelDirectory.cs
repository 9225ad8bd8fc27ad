using Peft.Runtime.Models;
using Peft.Runtime.Models.Config;
using Peft.Tools.DemoModel.Tokenizer;

namespace Peft.Tools.DemoModel.Generation;

/// <summary>A Hugging Face model directory opened for the tool's own generation: the model and its tokenizer.</summary>
internal sealed class ModelDirectory : IDisposable
{
    private ModelDirectory(CausalLM model, BpeModel tokenizer)
    {
        Model = model;
        Tokenizer = tokenizer;
        Decoder = new GreedyDecoder(model, tokenizer);
    }

    public CausalLM Model { get; }

    public BpeModel Tokenizer { get; }

    public GreedyDecoder Decoder { get; }

    public static ModelDirectory Open(DirectoryInfo directory)
    {
        var tokenizer = TokenizerFiles.Load(directory);
        CausalLM model;
        try
        {
            model = CausalLM.Load(directory.FullName, new ModelLoadOptions());
        }
        catch (ModelLoadException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
        return new ModelDirectory(model, tokenizer);
    }

    public void Dispose() => Model.Dispose();
}
