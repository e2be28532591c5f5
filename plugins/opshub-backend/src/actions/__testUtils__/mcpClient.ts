import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/**
 * An MCP client connected over Streamable HTTP to `url`, sending `token` as
 * its bearer token on every request, as an AI assistant configured with a
 * Backstage token does.
 */
export async function connectMcpClient(url: URL, token: string) {
  const client = new Client({ name: 'opshub-mcp-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(url, {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

export type McpClient = Awaited<ReturnType<typeof connectMcpClient>>;

/** A tool call's answer as the model sees it: its text, and whether it failed. */
export async function callTool(
  client: McpClient,
  name: string,
  args: Record<string, unknown>,
): Promise<{ isError: boolean; text: string; structured?: unknown }> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as Array<{ type: string; text?: string }>;
  return {
    isError: result.isError === true,
    text: content
      .filter(c => c.type === 'text')
      .map(c => c.text)
      .join('\n'),
    structured: result.structuredContent,
  };
}
