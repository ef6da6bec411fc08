-- A pandoc filter (scripts/docs.sh): one page of docs/*.md (GitHub Markdown) to the reStructuredText of an
-- antsibull-docs extra doc, docs/docsite/rst/<page>.rst of the docsite's copy of the collection.
--
--   * every heading gets a label, <prefix>.<page> for the title and <prefix>.<page>.<anchor> for the others
--     (<anchor>: GitHub's, so #anchor links keep working), as antsibull-docs wants (lint-collection-docs)
--   * links between the pages (role.md, role.md#anchor, #anchor) become :ref: links, which Sphinx checks; a
--     link whose text is the file name (role.md) shows the page's or the section's title instead
--   * links to other files of the repository (../examples/site.yml) keep their text: the docsite has no copy
--   * external links stay as they are
--
-- Environment: DOCSITE_PAGE (this page: role), DOCSITE_PAGES (every page, space-separated),
-- DOCSITE_PREFIX (ansible_collections.ops.wsus.docsite).
local page = os.getenv("DOCSITE_PAGE")
local prefix = os.getenv("DOCSITE_PREFIX")
local pages = {}
for name in (os.getenv("DOCSITE_PAGES") or ""):gmatch("%S+") do
  pages[name] = true
end

local function label(name, anchor)
  local result = prefix .. "." .. name:gsub("-", "_")
  if anchor and anchor ~= "" then
    result = result .. "." .. anchor
  end
  return result
end

-- "docs/../examples/x" -> "examples/x"
local function normalize(path)
  local parts = {}
  for part in path:gmatch("[^/]+") do
    if part == ".." then
      if #parts > 0 and parts[#parts] ~= ".." then
        table.remove(parts)
      else
        table.insert(parts, part)
      end
    elseif part ~= "." then
      table.insert(parts, part)
    end
  end
  return table.concat(parts, "/")
end

local titled = false

function Header(el)
  local anchor = el.identifier
  local target
  if el.level == 1 and not titled then
    titled = true
    target = label(page)
  else
    target = label(page, anchor)
  end
  el.identifier = target -- pandoc's writer puts ".. _<identifier>:" before the heading
  return el
end

function Link(el)
  local target = el.target
  if target:match("^%a[%w+.-]*:") then
    return nil -- https:, mailto:
  end
  local path, anchor = target:match("^([^#]*)#?(.*)$")
  local ref
  if path == "" then
    ref = label(page, anchor)
  else
    local name = normalize("docs/" .. path):match("^docs/([^/]+)%.md$")
    if name and pages[name] then
      ref = label(name, anchor)
    end
  end
  if not ref then
    return el.content -- a file of the repository, not of the docsite
  end
  local text = pandoc.utils.stringify(el.content)
  if text:match("%.md$") or text:match("%.md#") then
    return pandoc.RawInline("rst", ":ref:`" .. ref .. "`") -- "role.md" reads as the page's title
  end
  text = text:gsub("([\\`<>])", "\\%1")
  return pandoc.RawInline("rst", ":ref:`" .. text .. " <" .. ref .. ">`")
end
