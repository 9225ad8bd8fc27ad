using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Peft.ChatTemplates.Jinja;

namespace Peft.ChatTemplates.Tests;

/// <summary>
/// Real models' chat templates (Llama 3.1/3.2/3.3, Qwen2.5, Qwen3, QwQ, Mistral Nemo/Small/Devstral, Gemma 2, Phi-3.5,
/// Hermes and functionary tool use, Command-R, Granite, DeepSeek, gpt-oss, ...) crossed with conversations, loaded
/// from a model directory and rendered through the public API. Expected outputs are transformers'
/// apply_chat_template as Python jinja2 renders it (Cases/hf-models.json, tools/render_expected.py).
/// </summary>
public sealed class ModelTemplateTests
{
    private const string File = "hf-models.json";

    public static TheoryData<string> Cases => CaseFile.Names(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Model_templates_render_as_transformers_does(string name)
    {
        var testCase = CaseFile.Find(File, name);
        using var directory = new TemporaryDirectory();
        WriteModelDirectory(directory, testCase);
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 7, 10, 12, 0, 0, TimeSpan.Zero));
        clock.SetLocalTimeZone(TimeZoneInfo.Utc);
        var context = testCase["context"]!;
        var request = new ChatRenderRequest(context["messages"]!.DeepClone().AsArray())
        {
            Tools = context["tools"]?.DeepClone().AsArray(),
            Documents = context["documents"]?.DeepClone().AsArray(),
            AddGenerationPrompt = (bool)context["add_generation_prompt"]!,
            ExtraVariables = context["extra"]?.DeepClone().AsObject(),
        };

        string Render() => ChatTemplateSet.FromModelDirectory(directory.Path, clock)!.Resolve().Render(request);

        if (testCase["expected_error"] is { } error)
        {
            var thrown = Assert.Throws<ChatTemplateException>(Render);
            Assert.StartsWith("chat template 'default' line ", thrown.Message, StringComparison.Ordinal);
            ErrorKinds.AssertMatches((string)error!, Assert.IsType<TemplateError>(thrown.InnerException));
            Assert.Equal(((string)error!).StartsWith("TemplateError:", StringComparison.Ordinal), thrown.RaisedByTemplate);
        }
        else
        {
            Assert.Equal((string)testCase["expected"]!, Render());
        }
    }

    /// <summary>The template in tokenizer_config.json or chat_template.jinja, bos_token as a string or AddedToken.</summary>
    private static void WriteModelDirectory(TemporaryDirectory directory, JsonObject testCase)
    {
        var template = System.IO.File.ReadAllText(
            Path.Combine(AppContext.BaseDirectory, "Cases", (string)testCase["template_file"]!));
        var config = new JsonObject();
        foreach (var (key, value) in testCase["special_tokens"]!.AsObject())
        {
            config[key] = key == "bos_token" && (bool)testCase["bos_as_added_token"]!
                ? new JsonObject { ["__type"] = "AddedToken", ["content"] = value!.DeepClone(), ["lstrip"] = false, ["special"] = true }
                : value!.DeepClone();
        }

        if ((string)testCase["storage"]! == "chat_template.jinja")
        {
            directory.Write("chat_template.jinja", template);
        }
        else
        {
            config["chat_template"] = template;
        }

        directory.Write("tokenizer_config.json", config.ToJsonString());
    }
}
