using Peft.Tools.DemoModel;
using Peft.Tools.DemoModel.Tasks;
using Peft.Tools.DemoModel.Tokenizer;

namespace Peft.Tools.Tests.Cli;

public sealed class DemoModelCliTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("demo-model-cli-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await DemoModelCli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Corpus_then_tokenizer_then_task_write_their_files()
    {
        string corpus = Path.Combine(_dir.FullName, "corpus.txt");
        var (code, output, _) = await Run("corpus", "--out", corpus, "--size-mb", "0.3", "--seed", "4");
        Assert.Equal(0, code);
        Assert.InRange(new FileInfo(corpus).Length, 300_000, 310_000);
        Assert.Contains("MB/s", output, StringComparison.Ordinal);

        string tokenizer = Path.Combine(_dir.FullName, "tok");
        (code, output, _) = await Run("tokenizer", "--corpus", corpus, "--vocab-size", "1024", "--out", tokenizer);
        Assert.Equal(0, code);
        var model = TokenizerFiles.Load(new DirectoryInfo(tokenizer));
        Assert.Equal(1024, model.VocabSize);
        Assert.True(File.Exists(Path.Combine(tokenizer, "tokenizer_config.json")));

        string task = Path.Combine(_dir.FullName, "task");
        (code, _, _) = await Run("task", "--out", task, "--seed", "3", "--train", "300", "--heldout", "40");
        Assert.Equal(0, code);
        var splits = TaskFiles.Load(new DirectoryInfo(task));
        Assert.Equal((300, 40), (splits.Train.Count, splits.Heldout.Count));
    }

    [Fact]
    public async Task Missing_or_bad_options_exit_with_usage_or_failure()
    {
        var (code, _, error) = await Run("corpus", "--size-mb", "1");
        Assert.Equal(DemoModelCli.Usage, code);
        Assert.Contains("--out", error, StringComparison.Ordinal);

        (code, _, error) = await Run("corpus", "--out", Path.Combine(_dir.FullName, "x.txt"), "--size-mb", "0");
        Assert.Equal(DemoModelCli.Failure, code);
        Assert.Contains("--size-mb", error, StringComparison.Ordinal);

        (code, _, error) = await Run("tokenizer", "--corpus", Path.Combine(_dir.FullName, "missing.txt"), "--out", _dir.FullName);
        Assert.Equal(DemoModelCli.Failure, code);
        Assert.Contains("missing.txt", error, StringComparison.Ordinal);

        (code, _, _) = await Run("task", "--out", _dir.FullName, "--train", "10");
        Assert.Equal(DemoModelCli.Failure, code);
    }
}
