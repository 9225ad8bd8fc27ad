using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace Peft.ChatTemplates.Tests;

/// <summary>Finding and naming a model directory's templates, with transformers' file precedence.</summary>
public sealed class ChatTemplateSetTests
{
    private const string Echo = "{% for m in messages %}{{ m.role }}:{{ m.content }};{% endfor %}";

    [Fact]
    public void A_directory_without_a_tokenizer_config_has_no_templates()
    {
        using var directory = new TemporaryDirectory();
        Assert.Null(ChatTemplateSet.FromModelDirectory(directory.Path));
    }

    [Fact]
    public void A_tokenizer_config_without_a_template_has_no_templates()
    {
        using var directory = new TemporaryDirectory();
        directory.Write("tokenizer_config.json", """{"bos_token": "<s>", "chat_template": null}""");
        Assert.Null(ChatTemplateSet.FromModelDirectory(directory.Path));
    }

    [Fact]
    public void A_missing_directory_is_refused()
    {
        var error = Assert.Throws<ChatTemplateException>(() =>
            ChatTemplateSet.FromModelDirectory(Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid())));
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json", "tokenizer_config.json: not valid JSON")]
    [InlineData("[1, 2]", "tokenizer_config.json: expected a JSON object")]
    [InlineData("""{"chat_template": "a", "chat_template": "b"}""", "tokenizer_config.json: not valid JSON")]
    [InlineData("""{"chat_template": 5}""", "tokenizer_config.json: chat_template must be a string or a list")]
    [InlineData("""{"chat_template": [{"name": "default"}]}""", "tokenizer_config.json: chat_template[0].template must be a string")]
    [InlineData("""{"chat_template": ["x"]}""", "tokenizer_config.json: chat_template[0] must be an object")]
    [InlineData("""{"chat_template": "x", "bos_token": 5}""", "tokenizer_config.json: bos_token must be a string or an object")]
    public void Malformed_configs_fail_naming_the_file_and_the_problem(string config, string message)
    {
        using var directory = new TemporaryDirectory();
        directory.Write("tokenizer_config.json", config);
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplateSet.FromModelDirectory(directory.Path));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_template_that_does_not_parse_fails_at_load_naming_file_template_and_line()
    {
        using var directory = new TemporaryDirectory();
        directory.Write("tokenizer_config.json", new JsonObject
        {
            ["chat_template"] = new JsonArray(
                new JsonObject { ["name"] = "default", ["template"] = Echo },
                new JsonObject { ["name"] = "rag", ["template"] = "line 1\n{% for x in docs %}\n{{ x | nosuchfilter }}\n{% endfor %}" }),
        }.ToJsonString());

        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplateSet.FromModelDirectory(directory.Path));

        Assert.Equal("tokenizer_config.json: chat template 'rag' line 3: TemplateSyntaxError: No filter named 'nosuchfilter'.", error.Message);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void A_single_template_is_named_default_and_resolved_without_a_name()
    {
        using var directory = new TemporaryDirectory();
        directory.Write("tokenizer_config.json", new JsonObject { ["chat_template"] = Echo }.ToJsonString());

        var set = ChatTemplateSet.FromModelDirectory(directory.Path)!;

        Assert.Equal(["default"], set.Names);
        Assert.Equal("default", set.Resolve().Name);
        Assert.Equal(Echo, set.Resolve("default").Source);
    }

    [Fact]
    public void Named_templates_keep_their_order_and_unknown_names_are_refused()
    {
        using var directory = new TemporaryDirectory();
        WriteNamed(directory, ("default", "D"), ("tool_use", "T"), ("rag", "R"));

        var set = ChatTemplateSet.FromModelDirectory(directory.Path)!;

        Assert.Equal(["default", "tool_use", "rag"], set.Names);
        Assert.Equal("R", set.Resolve("rag").Render(Request()));
        var error = Assert.Throws<ChatTemplateException>(() => set.Resolve("chat"));
        Assert.Equal("no chat template named 'chat'; this model has: default, tool_use, rag", error.Message);
    }

    [Fact]
    public void Without_a_name_a_request_with_tools_renders_with_the_tool_use_template_as_transformers_chooses()
    {
        using var directory = new TemporaryDirectory();
        WriteNamed(directory, ("default", "D"), ("tool_use", "T{{ tools | length }}"));
        var set = ChatTemplateSet.FromModelDirectory(directory.Path)!;
        var withTools = Request() with { Tools = [new JsonObject { ["type"] = "function" }] };

        Assert.Equal("D", set.Resolve().Render(Request()));
        Assert.Equal("T1", set.Resolve().Render(withTools));
        Assert.Equal("D", set.Resolve("default").Render(withTools));
    }

    [Fact]
    public void Several_templates_without_a_default_need_a_name()
    {
        using var directory = new TemporaryDirectory();
        WriteNamed(directory, ("chat", "C"), ("rag", "R"));
        var set = ChatTemplateSet.FromModelDirectory(directory.Path)!;

        var error = Assert.Throws<ChatTemplateException>(() => set.Resolve());

        Assert.Contains("none named 'default'; choose one of: chat, rag", error.Message, StringComparison.Ordinal);
        Assert.Equal("C", set.Resolve("chat").Render(Request()));
    }

    [Fact]
    public void One_named_template_is_resolved_without_a_name()
    {
        using var directory = new TemporaryDirectory();
        WriteNamed(directory, ("chatml", "C"));
        Assert.Equal("C", ChatTemplateSet.FromModelDirectory(directory.Path)!.Resolve().Render(Request()));
    }

    [Fact]
    public void Chat_template_jinja_replaces_the_config_template_and_additional_templates_join_it()
    {
        using var directory = new TemporaryDirectory();
        WriteNamed(directory, ("default", "from config"), ("old", "O"));
        directory.Write("chat_template.jinja", "from jinja file\n");
        directory.Write("additional_chat_templates/rag.jinja", "rag file");

        var set = ChatTemplateSet.FromModelDirectory(directory.Path)!;

        Assert.Equal(["default", "rag"], set.Names);
        Assert.Equal("from jinja file", set.Resolve().Render(Request()));
        Assert.Equal("rag file", set.Resolve("rag").Render(Request()));
    }

    [Fact]
    public void A_processor_chat_template_json_is_used_when_nothing_else_declares_one()
    {
        using var directory = new TemporaryDirectory();
        directory.Write("tokenizer_config.json", """{"eos_token": "</s>"}""");
        directory.Write("chat_template.json", """{"chat_template": "P{{ eos_token }}"}""");

        Assert.Equal("P</s>", ChatTemplateSet.FromModelDirectory(directory.Path)!.Resolve().Render(Request()));
    }

    [Fact]
    public void Special_tokens_come_from_the_config_then_the_special_tokens_map()
    {
        using var directory = new TemporaryDirectory();
        directory.Write("tokenizer_config.json", new JsonObject
        {
            ["chat_template"] = "{{ bos_token }}|{{ eos_token }}|{{ pad_token }}|{{ unk_token is defined }}|{{ additional_special_tokens }}",
            ["bos_token"] = new JsonObject { ["__type"] = "AddedToken", ["content"] = "<s>", ["lstrip"] = false },
            ["eos_token"] = null,
            ["unk_token"] = "",
        }.ToJsonString());
        directory.Write("special_tokens_map.json", """
            {"bos_token": "<ignored>", "eos_token": {"content": "</s>"}, "pad_token": "<pad>",
             "additional_special_tokens": ["<a>", {"content": "<b>"}]}
            """);

        var rendered = ChatTemplateSet.FromModelDirectory(directory.Path)!.Resolve().Render(Request());

        Assert.Equal("<s>|</s>|<pad>|False|['<a>', '<b>']", rendered);
    }

    private static void WriteNamed(TemporaryDirectory directory, params (string Name, string Template)[] templates) =>
        directory.Write("tokenizer_config.json", new JsonObject
        {
            ["chat_template"] = new JsonArray([.. templates.Select(t => (JsonNode)new JsonObject { ["name"] = t.Name, ["template"] = t.Template })]),
        }.ToJsonString());

    internal static ChatRenderRequest Request() =>
        new([new JsonObject { ["role"] = "user", ["content"] = "hi" }]);

    internal static FakeTimeProvider Clock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 7, 10, 12, 0, 0, TimeSpan.Zero));
        clock.SetLocalTimeZone(TimeZoneInfo.Utc);
        return clock;
    }
}
