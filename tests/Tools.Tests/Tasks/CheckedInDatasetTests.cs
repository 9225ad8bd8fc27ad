using Peft.Tools.DemoModel.Tasks;

namespace Peft.Tools.Tests.Tasks;

public sealed class CheckedInDatasetTests : IDisposable
{
    private static readonly DirectoryInfo CheckedIn = new(Path.Combine(RepositoryRoot.Directory.FullName, "datasets", "demo-task"));

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("demo-task-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Checked_in_files_are_what_the_generator_writes_for_seed_1()
    {
        // Regenerate with: dotnet run --project tools/DemoModel -- task --out datasets/demo-task --seed 1
        TaskFiles.Save(_dir, KindOfThingTask.Generate(seed: 1));
        foreach (string file in new[] { TaskFiles.TrainFileName, TaskFiles.HeldoutFileName })
        {
            Assert.Equal(
                File.ReadAllBytes(Path.Combine(_dir.FullName, file)),
                File.ReadAllBytes(Path.Combine(CheckedIn.FullName, file)));
        }
    }

    [Fact]
    public void Checked_in_chat_files_are_what_the_generator_writes_for_seed_1_with_chat()
    {
        // Regenerate with: dotnet run --project tools/DemoModel -- task --out datasets/demo-chat --seed 1 --chat
        var chat = new DirectoryInfo(Path.Combine(RepositoryRoot.Directory.FullName, "datasets", "demo-chat"));
        TaskFiles.Save(_dir, ChatTask.ToChat(KindOfThingTask.Generate(seed: 1)));
        foreach (string file in new[] { TaskFiles.TrainFileName, TaskFiles.HeldoutFileName })
        {
            Assert.Equal(
                File.ReadAllBytes(Path.Combine(_dir.FullName, file)),
                File.ReadAllBytes(Path.Combine(chat.FullName, file)));
        }
    }

    [Fact]
    public void A_chat_example_asks_about_the_same_sentence_and_keeps_the_label()
    {
        var plain = new TaskExample("Kind: Eli found a pine at the zoo. =>", " plant");
        var chat = ChatTask.ToChat(plain);
        Assert.Equal("User: What kind of thing is in this sentence? Eli found a pine at the zoo.\nAssistant:", chat.Prompt);
        Assert.Equal(" plant", chat.Completion);
    }

    [Fact]
    public void Files_read_back_to_the_same_examples()
    {
        var splits = KindOfThingTask.Generate(seed: 1);
        TaskFiles.Save(_dir, splits);
        var loaded = TaskFiles.Load(_dir);
        Assert.Equal(splits.Train, loaded.Train);
        Assert.Equal(splits.Heldout, loaded.Heldout);
    }

    [Fact]
    public void A_line_without_a_completion_is_refused_with_its_line_number()
    {
        string path = Path.Combine(_dir.FullName, "bad.jsonl");
        File.WriteAllText(path, "{\"prompt\":\"a\",\"completion\":\" b\"}\n{\"prompt\":\"c\"}\n");
        var error = Assert.Throws<InvalidDataException>(() => TaskFiles.Read(path));
        Assert.Contains("bad.jsonl:2", error.Message, StringComparison.Ordinal);
    }
}
