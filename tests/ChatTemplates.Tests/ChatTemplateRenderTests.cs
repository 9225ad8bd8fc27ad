using System.Text.Json.Nodes;
using Peft.ChatTemplates.Jinja;

namespace Peft.ChatTemplates.Tests;

/// <summary>What a caller of <see cref="ChatTemplate.Render"/> sees: variables, errors, the clock, concurrency.</summary>
public sealed class ChatTemplateRenderTests
{
    [Fact]
    public void The_template_sees_messages_tools_documents_the_generation_flag_and_extra_variables()
    {
        var template = Load("""
            {{- messages | length }}|{{ tools }}|{{ documents is none }}|{{ add_generation_prompt }}|{{ bos_token }}|{{ flavour }}
            """);
        var request = new ChatRenderRequest([new JsonObject { ["role"] = "user", ["content"] = "hi" }])
        {
            Tools = [new JsonObject { ["name"] = "f", ["n"] = 1.5 }],
            AddGenerationPrompt = true,
            ExtraVariables = new JsonObject { ["flavour"] = "mint", ["bos_token"] = "<override>" },
        };

        Assert.Equal("1|[{'name': 'f', 'n': 1.5}]|True|True|<override>|mint", template.Render(request));
    }

    [Fact]
    public void Absent_tools_and_documents_are_none_but_defined_as_in_transformers()
    {
        var template = Load("{{ tools is defined }}{{ tools is none }}{{ documents is defined }}{{ add_generation_prompt }}");
        Assert.Equal("TrueTrueTrueFalse", template.Render(ChatTemplateSetTests.Request()));
    }

    [Theory]
    [InlineData("messages")]
    [InlineData("tools")]
    [InlineData("documents")]
    [InlineData("add_generation_prompt")]
    public void Extra_variables_may_not_replace_request_fields(string name)
    {
        var request = ChatTemplateSetTests.Request() with { ExtraVariables = new JsonObject { [name] = 1 } };
        var error = Assert.Throws<ChatTemplateException>(() => Load("x").Render(request));
        Assert.Contains($"may not set '{name}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Raise_exception_is_the_templates_refusal_with_its_own_message_and_line()
    {
        var template = Load("{% if messages[0].role != 'system' %}\n{{ raise_exception('A system message comes first.') }}\n{% endif %}");

        var error = Assert.Throws<ChatTemplateException>(() => template.Render(ChatTemplateSetTests.Request()));

        Assert.True(error.RaisedByTemplate);
        Assert.Equal(2, error.Line);
        Assert.Equal("chat template 'default' line 2: A system message comes first.", error.Message);
    }

    [Fact]
    public void A_failing_template_names_the_line_and_the_python_error()
    {
        var template = Load("line 1\n{% for m in messages %}\n{{ m.content + 1 }}\n{% endfor %}");

        var error = Assert.Throws<ChatTemplateException>(() => template.Render(ChatTemplateSetTests.Request()));

        Assert.False(error.RaisedByTemplate);
        Assert.Equal(3, error.Line);
        Assert.Equal("chat template 'default' line 3: TypeError: can only concatenate str (not \"int\") to str", error.Message);
    }

    [Fact]
    public void Attribute_of_an_undefined_value_fails_naming_it()
    {
        var error = Assert.Throws<ChatTemplateException>(() => Load("{{ settings.mode }}").Render(ChatTemplateSetTests.Request()));
        Assert.Equal("chat template 'default' line 1: UndefinedError: 'settings' is undefined", error.Message);
    }

    [Fact]
    public void Strftime_now_reads_the_clock()
    {
        var template = Load("{{ strftime_now('%d %b %Y') }}");
        Assert.Equal("10 Jul 2025", template.Render(ChatTemplateSetTests.Request()));
    }

    [Fact]
    public void Concurrent_renders_of_one_template_are_independent()
    {
        var template = Load("{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + m.content | length %}{% endfor %}{{ ns.n }}");
        var results = new string[64];

        Parallel.For(0, results.Length, i =>
        {
            var messages = new JsonArray([.. Enumerable.Range(0, i).Select(_ => (JsonNode)new JsonObject { ["role"] = "user", ["content"] = "abc" })]);
            results[i] = template.Render(new ChatRenderRequest(messages));
        });

        Assert.Equal(Enumerable.Range(0, results.Length).Select(i => (i * 3).ToString(System.Globalization.CultureInfo.InvariantCulture)), results);
    }

    [Fact]
    public void Json_values_built_in_code_read_as_python_values()
    {
        var message = new JsonObject
        {
            ["role"] = "user",
            ["content"] = "x",
            ["n"] = 3,
            ["f"] = 2.5,
            ["d"] = 7m,
            ["ok"] = true,
            ["none"] = null,
        };
        var template = Load("{% set m = messages[0] %}{{ m.n + 1 }} {{ m.f * 2 }} {{ m.d }} {{ m.ok }} {{ m.none }} {{ m | tojson }}");

        Assert.Equal(
            """4 5.0 7 True None {"role": "user", "content": "x", "n": 3, "f": 2.5, "d": 7, "ok": true, "none": null}""",
            template.Render(new ChatRenderRequest([message])));
    }

    private static ChatTemplate Load(string template)
    {
        var directory = new TemporaryDirectory();
        try
        {
            directory.Write("tokenizer_config.json", new JsonObject { ["chat_template"] = template, ["bos_token"] = "<s>" }.ToJsonString());
            return ChatTemplateSet.FromModelDirectory(directory.Path, ChatTemplateSetTests.Clock())!.Resolve();
        }
        finally
        {
            directory.Dispose();
        }
    }
}
