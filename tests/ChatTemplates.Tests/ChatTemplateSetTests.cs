namespace Peft.ChatTemplates.Tests;

public sealed class ChatTemplateSetTests
{
    [Fact]
    public void A_directory_without_a_tokenizer_config_has_no_templates()
    {
        var directory = Directory.CreateTempSubdirectory("chat-templates-");
        try
        {
            Assert.Null(ChatTemplateSet.FromModelDirectory(directory.FullName));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
