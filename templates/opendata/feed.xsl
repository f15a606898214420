<?xml version="1.0" encoding="utf-8"?>
{% load i18n static %}{% comment %}Turns the Atom feed (opendata.feeds) into a page for people who open it in a browser. Only
the site's own stylesheet and no script: the feed's Content-Security-Policy applies to the page.
The entries' summaries are escaped HTML; their tags are dropped and the five entities the
writer produces read back, so the text arrives as text, never as markup.{% endcomment %}{% url 'alerts:subscribe' as subscribe_url %}
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:atom="http://www.w3.org/2005/Atom" exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>

  <xsl:template match="/atom:feed">
    <xsl:variable name="list" select="atom:link[@rel='alternate']/@href"/>
    <html lang="de">
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <title><xsl:value-of select="atom:title"/></title>
        <link rel="stylesheet" href="{% static 'css/site.css' %}"/>
      </head>
      <body>
        <a class="skip-link" href="#inhalt">{% translate "Zum Inhalt springen" %}</a>
        <header class="site-header">
          <div class="container site-header__inner">
            <a class="site-header__brand" href="{% url 'home' %}">
              <span class="site-header__name">{% translate "Kommunalkompass" %} <span class="site-header__region">NRW</span></span>
              <span class="site-header__claim">{% translate "Programme für Kommunen in Nordrhein-Westfalen" %}</span>
            </a>
          </div>
        </header>
        <main id="inhalt" tabindex="-1">
          <div class="container">
            <h1><xsl:value-of select="atom:title"/></h1>
            <div class="notice feed-notice">
              <p><strong>{% translate "Dies ist ein Feed." %}</strong> {% translate "Ein Feedreader (zum Beispiel Thunderbird, Outlook oder Feedly) meldet Ihnen damit neue und geänderte Programme dieser Liste." %}</p>
              <p>{% translate "So abonnieren Sie ihn: Kopieren Sie die Adresse dieser Seite aus der Adresszeile und fügen Sie sie in Ihrem Feedreader als neuen Feed ein." %}</p>
              <p>{% translate "Adresse:" %} <code><xsl:value-of select="atom:link[@rel='self']/@href"/></code></p>
              <ul>
                <li><a href="{$list}">{% translate "Diese Liste im Kommunalkompass ansehen" %}</a></li>{% if subscribe_url %}
                <li>
                  <a>
                    <xsl:attribute name="href">{{ subscribe_url }}<xsl:if test="contains($list, '?')">?<xsl:value-of select="substring-after($list, '?')"/></xsl:if></xsl:attribute>
                    {% translate "Lieber per E-Mail benachrichtigen" %}
                  </a>
                </li>{% endif %}
              </ul>
            </div>
            <h2>{% translate "Die neuesten Änderungen" %}</h2>
            <xsl:choose>
              <xsl:when test="atom:entry">
                <ul class="result-list">
                  <xsl:apply-templates select="atom:entry"/>
                </ul>
              </xsl:when>
              <xsl:otherwise>
                <p>{% translate "Zurzeit steht kein Programm in dieser Liste." %}</p>
              </xsl:otherwise>
            </xsl:choose>
          </div>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li class="result">
      <h3 class="result__title"><a href="{atom:link/@href}"><xsl:value-of select="atom:title"/></a></h3>
      <p>
        <xsl:call-template name="text">
          <xsl:with-param name="html" select="atom:summary"/>
        </xsl:call-template>
      </p>
      <p class="hint">
        {% translate "Zuletzt geändert am" %}
        <xsl:value-of select="concat(substring(atom:updated, 9, 2), '.', substring(atom:updated, 6, 2), '.', substring(atom:updated, 1, 4))"/>
        <xsl:for-each select="atom:category"> · <xsl:value-of select="@term"/></xsl:for-each>
      </p>
    </li>
  </xsl:template>

  <!-- The summary's text without its tags; a tag becomes a space. -->
  <xsl:template name="text">
    <xsl:param name="html"/>
    <xsl:choose>
      <xsl:when test="contains($html, '&lt;')">
        <xsl:call-template name="unescape">
          <xsl:with-param name="s" select="substring-before($html, '&lt;')"/>
        </xsl:call-template>
        <xsl:text> </xsl:text>
        <xsl:call-template name="text">
          <xsl:with-param name="html" select="substring-after(substring-after($html, '&lt;'), '&gt;')"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="unescape">
          <xsl:with-param name="s" select="$html"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The entities Django's escaping writes, read back as the characters they stand for. -->
  <xsl:template name="unescape">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="contains($s, '&amp;')">
        <xsl:value-of select="substring-before($s, '&amp;')"/>
        <xsl:variable name="rest" select="substring-after($s, '&amp;')"/>
        <xsl:variable name="entity" select="substring-before($rest, ';')"/>
        <xsl:choose>
          <xsl:when test="$entity = 'amp'">&amp;</xsl:when>
          <xsl:when test="$entity = 'lt'">&lt;</xsl:when>
          <xsl:when test="$entity = 'gt'">&gt;</xsl:when>
          <xsl:when test="$entity = 'quot'">"</xsl:when>
          <xsl:when test="$entity = '#x27' or $entity = '#39'">'</xsl:when>
          <xsl:otherwise>&amp;</xsl:otherwise>
        </xsl:choose>
        <xsl:call-template name="unescape">
          <xsl:with-param name="s">
            <xsl:choose>
              <xsl:when test="$entity = 'amp' or $entity = 'lt' or $entity = 'gt' or $entity = 'quot' or $entity = '#x27' or $entity = '#39'">
                <xsl:value-of select="substring-after($rest, ';')"/>
              </xsl:when>
              <xsl:otherwise><xsl:value-of select="$rest"/></xsl:otherwise>
            </xsl:choose>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
