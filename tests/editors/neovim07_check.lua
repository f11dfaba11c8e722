-- Driven by tests/test_editors.py (test_neovim_0_7_configuration): Neovim 0.7 to 0.10 headless, with the 0.7 init.lua from
-- docs/editors.md. Only APIs that 0.7 has. Writes what it saw to $CHECK_OUT.
local out = {}
local function log(s) table.insert(out, s) end
local function check()
  local buf = vim.api.nvim_get_current_buf()
  log('filetype ' .. vim.bo[buf].filetype)
  if not vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 20) then
    log('no diagnostics')
    return
  end
  local client
  for _, c in pairs(vim.lsp.buf_get_clients(buf)) do client = c end
  log('client ' .. client.name .. ' ' .. client.offset_encoding)
  local function dump(prefix)
    local diags = vim.diagnostic.get(buf)
    table.sort(diags, function(a, b) return a.col < b.col end)
    for _, d in ipairs(diags) do
      log(string.format('%s %s %d:%d-%d:%d %s', prefix, d.code, d.lnum, d.col, d.end_lnum, d.end_col, d.source))
    end
  end
  dump('diagnostic')

  -- The hover on "Refer me" (line 2, byte column 6).
  vim.api.nvim_win_set_cursor(0, { 2, 6 })
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local hover = client.request_sync('textDocument/hover', params, 10000, buf)
  log('hover ' .. ((hover and hover.result and hover.result.contents.value) or 'none'):gsub('\n', ' '))

  -- The "Remove "ASAP"" quick fix, applied; the diagnostics follow the unsaved change.
  local line = vim.api.nvim_buf_get_lines(buf, 1, 2, false)[1]
  vim.api.nvim_win_set_cursor(0, { 2, (line:find('ASAP')) })
  local range = vim.lsp.util.make_range_params(0, client.offset_encoding)
  range.context = { diagnostics = {} }
  local actions = client.request_sync('textDocument/codeAction', range, 10000, buf)
  for _, action in ipairs((actions and actions.result) or {}) do
    if action.title == 'Remove "ASAP"' then
      vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
    end
  end
  log('quick fix ' .. vim.api.nvim_buf_get_lines(buf, 1, 2, false)[1])
  vim.wait(10000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.lnum == 1 and d.end_col - d.col == 4 then return false end
    end
    return true
  end, 20)
  dump('after')
end

local ok, err = xpcall(check, debug.traceback)
if not ok then log('error ' .. err) end
vim.fn.writefile(out, vim.env.CHECK_OUT)
vim.cmd('qa!')
